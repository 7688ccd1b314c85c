"""Fault injection: the `--faults` text, and a seeded draw of which fault (if any) hits a request.

The text is comma-separated `key=value` pairs, e.g. `500=0.2,429=0.1,timeout=0.05,reset=0.05,drop=0.05`:

- `<status>=p` (any 400-599): answer that status with a Twilio error body, without carrying the request
  out. 429 carries code 20429, 500 code 20500, 503 code 20503.
- `timeout=p`: carry the request out, then hold the answer back `hang` seconds (longer than a client's
  read timeout), then answer.
- `reset=p`: close the connection abruptly (TCP reset), without an answer and without carrying it out.
- `drop=p`: purchases only (`POST /IncomingPhoneNumbers.json`): carry the purchase out (the number is
  bought and stored if it can be), then reset the connection, so the caller never learns the outcome.
- `callback_drop=p`, `callback_duplicate=p`, `callback_delay=p`: status callbacks only (the sandbox's own
  requests to a number's `StatusCallback`, drawn apart from the faults above, with their own total of at
  most 1): never sent, sent twice, or sent `callback_wait` seconds late (default 2), after later ones.
- `hang=seconds` (default 30) for `timeout`; `retry_after=seconds` adds `Retry-After` to 429 answers.
- `method=POST` and `path=/IncomingPhoneNumbers` limit every fault to requests with that method and a
  path template starting with that prefix (templates are relative to the account, see `request_template`).

The probabilities are exclusive shares of one draw per request, so they must add up to at most 1.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

DEFAULT_HANG_SECONDS = 30.0
"""How long a `timeout` fault holds its answer back unless `hang=` says otherwise."""

RESET_ENVIRON_KEY = "webapp.sandbox.reset"
"""Set in a request's WSGI environ to have the server reset the connection instead of answering."""

KINDS = ("timeout", "reset", "drop")
CALLBACK_KINDS = ("callback_drop", "callback_duplicate", "callback_delay")
DEFAULT_CALLBACK_WAIT_SECONDS = 2.0
"""How late a `callback_delay` fault sends its callback unless `callback_wait=` says otherwise."""
PURCHASE = ("POST", "/IncomingPhoneNumbers.json")
"""The request a `drop` fault applies to."""


class FaultSpecError(ValueError):
    """The fault text is malformed; the message says which part and what is expected."""


@dataclass(frozen=True)
class FaultPlan:
    """Which faults to inject, how often, and for which requests."""

    rates: dict[str, float] = field(default_factory=dict)
    """Probability per fault: `"500"`, `"429"`, ... or one of `KINDS`."""
    hang_seconds: float = DEFAULT_HANG_SECONDS
    callback_rates: dict[str, float] = field(default_factory=dict)
    """Probability per status-callback fault (`CALLBACK_KINDS`)."""
    callback_wait: float = DEFAULT_CALLBACK_WAIT_SECONDS
    retry_after: float | None = None
    method: str | None = None
    path_prefix: str | None = None

    def applies_to(self, method: str, template: str) -> bool:
        """Tell whether requests with this method and path template are targeted at all."""
        if self.method and method != self.method:
            return False
        return not self.path_prefix or template.startswith(self.path_prefix)

    def describe(self) -> str:
        """Return the plan as `--faults` text that parses back to the same plan."""
        rates = {**self.rates, **self.callback_rates}
        parts = [f"{name}={rate:g}" for name, rate in rates.items()]
        if self.hang_seconds != DEFAULT_HANG_SECONDS:
            parts.append(f"hang={self.hang_seconds:g}")
        if self.callback_wait != DEFAULT_CALLBACK_WAIT_SECONDS:
            parts.append(f"callback_wait={self.callback_wait:g}")
        if self.retry_after is not None:
            parts.append(f"retry_after={self.retry_after:g}")
        if self.method:
            parts.append(f"method={self.method}")
        if self.path_prefix:
            parts.append(f"path={self.path_prefix}")
        return ",".join(parts)


def _number(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FaultSpecError(f"{key} needs a number, got {raw!r}.")
    return value


def _seconds(key: str, raw: str) -> float:
    value = _number(key, raw)
    if value < 0:
        raise FaultSpecError(f"{key} must not be negative, got {raw!r}.")
    return value


OPTIONS: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "method": ("method", lambda key, raw: raw.upper()),
    "path": ("path_prefix", lambda key, raw: raw if raw.startswith("/") else "/" + raw),
    "hang": ("hang_seconds", _seconds),
    "callback_wait": ("callback_wait", _seconds),
    "retry_after": ("retry_after", _seconds),
}
"""Each option's key, the `FaultPlan` field it sets, and how its text is read."""


def _rate(key: str, raw: str) -> float:
    if key not in KINDS + CALLBACK_KINDS and not (key.isdigit() and 400 <= int(key) <= 599):
        raise FaultSpecError(
            f"Unknown fault {key!r}: use an HTTP status 400-599, timeout, reset, drop, "
            f"{', '.join(CALLBACK_KINDS)}, hang, callback_wait, retry_after, method or path."
        )
    rate = _number(key, raw)
    if not 0 <= rate <= 1:
        raise FaultSpecError(f"{key} needs a probability between 0 and 1, got {raw!r}.")
    return rate


def _pairs(text: str) -> Iterator[tuple[str, str]]:
    """Yield the text's `key=value` pairs, each key once."""
    seen: set[str] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, raw = (s.strip() for s in part.partition("="))
        if not sep or not raw:
            raise FaultSpecError(f"{part!r} is not key=value, e.g. 500=0.2 or timeout=0.05.")
        if key in seen:
            raise FaultSpecError(f"{key} is given twice.")
        seen.add(key)
        yield key, raw


def parse_faults(text: str) -> FaultPlan:
    """Return the plan the fault text describes (see the module docstring); empty text means no faults.

    Raises:
        FaultSpecError: a part is not `key=value`, names an unknown fault, or a rate is out of range.
    """
    rates: dict[str, float] = {}
    options: dict[str, object] = {}
    for key, raw in _pairs(text):
        if key in OPTIONS:
            name, read = OPTIONS[key]
            options[name] = read(key, raw)
        else:
            rates[key] = _rate(key, raw)
    callback_rates = {key: rates.pop(key) for key in CALLBACK_KINDS if key in rates}
    for shares in (rates, callback_rates):
        if sum(shares.values()) > 1 + 1e-9:
            total = sum(shares.values())
            raise FaultSpecError(f"The fault rates add up to {total:g}; they must be at most 1.")
    # A fixed order, so one seed gives the same faults whatever order the text lists them in.
    order = sorted((k for k in rates if k not in KINDS), key=int) + [k for k in KINDS if k in rates]
    return FaultPlan(
        rates={key: rates[key] for key in order},
        callback_rates=callback_rates,
        **options,  # type: ignore[arg-type]
    )


class FaultInjector:
    """Draws, from a seeded random generator, the fault for each request under the current plan."""

    def __init__(self, plan: FaultPlan, seed: int | None = None):
        self._lock = threading.Lock()
        self._plan = plan
        self._seed = seed
        self._random = random.Random(seed)

    @property
    def plan(self) -> FaultPlan:
        """The plan in force."""
        return self._plan

    @property
    def seed(self) -> int | None:
        """The seed the generator last started from (None: unseeded)."""
        return self._seed

    def replace(self, plan: FaultPlan, seed: int | None = None, *, reseed: bool = False) -> None:
        """Put `plan` in force; with `reseed`, restart the generator from `seed`."""
        with self._lock:
            self._plan = plan
            if reseed:
                self._seed = seed
                self._random = random.Random(seed)

    def draw_callback(self) -> str | None:
        """Return the fault for one status callback (`"callback_drop"`, ...) or None."""
        with self._lock:
            rates = self._plan.callback_rates
            if not rates:
                return None
            roll = self._random.random()
        for name, rate in rates.items():
            if roll < rate:
                return name
            roll -= rate
        return None

    def draw(self, method: str, template: str) -> str | None:
        """Return the fault for this request (`"500"`, `"timeout"`, `"drop"`, ...) or None."""
        with self._lock:
            plan = self._plan
            if not plan.rates or not plan.applies_to(method, template):
                return None
            roll = self._random.random()
        for name, rate in plan.rates.items():
            if roll < rate:
                if name == "drop" and (method, template) != PURCHASE:
                    return None
                return name
            roll -= rate
        return None
