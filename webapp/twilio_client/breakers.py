"""One circuit breaker per Twilio operation, its state kept in Redis so web and workers share it.

Which failures count: only outages (`ApiError.retryable`: connection errors, timeouts, 5xx). A business
answer (NotFound, NumberUnavailable, AuthError, any other 4xx) and a 429 (Twilio is up and asks us to slow
down, which the shared concurrency limit does) prove Twilio is up: pybreaker treats them as a success and
resets the failure count. No slot of that limit free in time (`NoSlotFree`: nothing was sent) is not
counted either: many requests of our own say nothing of Twilio.

When Redis is down, pybreaker's storage logs the error and reports the fallback state, closed: Twilio calls
still go out (unprotected, failures uncounted). A Redis outage already stops RQ, so the only calls left are
jobs in flight; failing them because the breaker's memory is gone would turn one outage into two.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import pybreaker
from redis import Redis
from redis.exceptions import RedisError

from webapp.twilio_client.errors import ApiError, NoSlotFree, RateLimited

logger = logging.getLogger(__name__)

OPERATIONS = (
    "search_available_numbers",
    "purchase_number",
    "provision_number",
    "update_number_webhook",
    "fetch_number",
    "find_numbers",
    "list_numbers",
    "release_number",
    "update_friendly_name",
    "fetch_number_prices",
    "make_call",
    "get_call",
    "list_alerts",
    "fetch_alert",
    "list_events",
    "list_calls",
    "list_messages",
    "list_call_events",
    "create_address",
    "find_addresses",
    "set_emergency_address",
)
"""The client's operations; each has a breaker named `twilio:<operation>`."""

UNKNOWN = "unknown"
"""The state reported when Redis cannot be read."""

CLOSED_READ_SECONDS = 1.0
"""How long a breaker read closed with no failures is taken as still so by the client that read it, rather
than read again before each request: a breaker another process opens stops this one within that time."""

_PARTS = ("state", "fail_counter", "opened_at")
"""The keys pybreaker's Redis storage keeps per breaker, read by `breaker_states`."""


def breaker_name(operation: str) -> str:
    """Return the breaker's name for a client operation, e.g. `twilio:fetch_number`."""
    return f"twilio:{operation}"


class SharedStorage(pybreaker.CircuitRedisStorage):
    """pybreaker's Redis storage under the breaker's own namespace, built even while Redis is down.

    The namespace is the breaker's name: pybreaker leaves the name out of its keys, so breakers sharing a
    namespace would share one state (pybreaker #88).

    At most one Redis round trip per call instead of pybreaker's two: reading the state also reads the
    failure count, and a success resets the count only when that read found failures (pybreaker sets it to 0
    after every success). A failure another process counts while this call is under way is then kept rather
    than wiped: as if this success came first, an order two concurrent calls may take anyway. A read that
    finds the breaker closed with no failures holds for `CLOSED_READ_SECONDS` (a batch's requests read it
    once a second, not once each); any failure or change of state this storage writes forgets it at once.
    Redis stays the only record of the state.
    """

    def __init__(self, redis: Redis, name: str) -> None:
        self._failures_seen: int | None = None
        self._closed_read_at: float | None = None
        self._built = False
        super().__init__(pybreaker.STATE_CLOSED, redis, namespace=name)
        self._built = True

    def _initialize_redis_state(self, state: str) -> None:
        # pybreaker calls this in its constructor (three writes per breaker, each time a client is built: in
        # every work-horse) and whenever a read finds the state missing. Only the second is needed: missing
        # keys read as closed with no failures, and the breaker reads its state as soon as it is built.
        if not self._built:
            return
        try:
            super()._initialize_redis_state(state)
        except RedisError:
            logger.warning("Redis unavailable; breaker %s starts closed", self._namespace_name)

    @property
    def state(self) -> str:
        """The state in Redis (closed when Redis fails); notes the failure count read with it."""
        if self._closed_read_at is not None and time.monotonic() - self._closed_read_at < CLOSED_READ_SECONDS:
            self._failures_seen = 0
            return pybreaker.STATE_CLOSED
        self._failures_seen = self._closed_read_at = None
        try:
            keys = self._namespace("state"), self._namespace("fail_counter")
            # redis-py types every answer as maybe awaitable, for its asyncio client too
            state, failures = cast("list[bytes | None]", self._redis.mget(*keys))
        except RedisError:
            logger.exception("Redis unavailable: breaker %s falls back to closed", self._namespace_name)
            return self._fallback_circuit_state
        if state is None:
            self._initialize_redis_state(self._fallback_circuit_state)
            return self._fallback_circuit_state
        self._failures_seen = int(failures or 0)
        name = state.decode("utf-8")
        if name == pybreaker.STATE_CLOSED and self._failures_seen == 0:
            self._closed_read_at = time.monotonic()
        return name

    @state.setter
    def state(self, state: str) -> None:
        # Overriding the getter hides pybreaker's setter; keep it as it is.
        self._closed_read_at = None
        pybreaker.CircuitRedisStorage.state.fset(self, state)  # type: ignore[attr-defined]

    def increment_counter(self) -> None:
        """Count a failure (in Redis, for every process)."""
        self._failures_seen = self._closed_read_at = None
        super().increment_counter()

    def reset_counter(self) -> None:
        """Set the failure count to zero, unless the state read before this call found it zero already."""
        if self._failures_seen == 0:
            return
        super().reset_counter()
        self._failures_seen = 0


class _LogStateChanges(pybreaker.CircuitBreakerListener):
    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        level = logging.WARNING if new_state.name == pybreaker.STATE_OPEN else logging.INFO
        logger.log(
            level, "Circuit breaker %s: %s -> %s", cb.name, getattr(old_state, "name", None), new_state.name
        )


def _not_an_outage(error: BaseException) -> bool:
    """Whether `error` leaves the breaker alone: anything not transient; a 429, which says Twilio is up and
    asks us to slow down (the shared concurrency limit shrinks for it); and no slot of that limit free in
    time, which says our own requests are many. Counted as failures, a busy account would pause every call
    for the breaker's reset timeout."""
    return isinstance(error, RateLimited | NoSlotFree) or not (
        isinstance(error, ApiError) and error.retryable
    )


class Breakers:
    """A breaker per operation, keyed by operation, each built the first time its operation is used.

    Building one reads its state from Redis; a client (one per thread, see `get_client`) mostly sends one or
    two kinds of request, so building all of them up front cost a batch's threads more Redis round trips
    than their requests did. A call that trips a breaker raises its own error, not pybreaker's, so the
    caller sees what failed.
    """

    def __init__(self, redis: Redis, *, fail_max: int, reset_timeout: float) -> None:
        self._redis = redis
        self._fail_max = fail_max
        self._reset_timeout = reset_timeout
        self._built: dict[str, pybreaker.CircuitBreaker] = {}

    def __getitem__(self, operation: str) -> pybreaker.CircuitBreaker:
        """Return the operation's breaker.

        Raises:
            KeyError: `operation` is not one of `OPERATIONS`.
        """
        if operation not in OPERATIONS:
            raise KeyError(operation)
        breaker = self._built.get(operation)
        if breaker is None:
            breaker = self._built[operation] = pybreaker.CircuitBreaker(
                fail_max=self._fail_max,
                reset_timeout=self._reset_timeout,
                exclude=[_not_an_outage],
                listeners=[_LogStateChanges()],
                state_storage=SharedStorage(self._redis, breaker_name(operation)),
                name=breaker_name(operation),
                throw_new_error_on_trip=False,
            )
        return breaker


@dataclass(frozen=True)
class BreakerState:
    """What the dashboard and /healthz show for one breaker.

    Attributes:
        name: e.g. `twilio:purchase_number`.
        state: `closed`, `open`, `half-open`, or `unknown` when Redis cannot be read.
        failure_count: consecutive transient failures counted so far.
        opened_at: when it last opened (UTC, whole seconds), or None.
        retry_at: when an open breaker lets a trial call through (`opened_at + reset_timeout`), else None.
    """

    name: str
    state: str
    failure_count: int
    opened_at: datetime | None
    retry_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        """Return the state as JSON-ready values (datetimes in ISO 8601)."""
        values = asdict(self)
        for key in ("opened_at", "retry_at"):
            values[key] = values[key].isoformat() if values[key] else None
        return values


def breaker_states(redis: Redis, *, reset_timeout: float) -> list[BreakerState]:
    """Return every breaker's state, read from Redis only (no Twilio credentials needed, nothing written)."""
    names = [breaker_name(operation) for operation in OPERATIONS]
    keys = [
        f"{name}:{pybreaker.CircuitRedisStorage.BASE_NAMESPACE}:{part}" for name in names for part in _PARTS
    ]
    try:
        # redis-py types every answer as maybe awaitable, for its asyncio client too
        raw = cast("list[bytes | None]", redis.mget(keys))
    except RedisError:
        logger.warning("Redis unavailable; breaker states unknown")
        return [BreakerState(name, UNKNOWN, 0, None, None) for name in names]
    states = []
    for index, name in enumerate(names):
        state, counter, opened = raw[index * len(_PARTS) : (index + 1) * len(_PARTS)]
        state_name = state.decode() if state else pybreaker.STATE_CLOSED
        opened_at = datetime.fromtimestamp(int(opened), UTC) if opened else None
        retry_at = (
            opened_at + timedelta(seconds=reset_timeout)
            if opened_at and state_name == pybreaker.STATE_OPEN
            else None
        )
        states.append(BreakerState(name, state_name, int(counter or 0), opened_at, retry_at))
    return states
