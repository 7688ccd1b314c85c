"""What one running sandbox holds: its store, fault injector, request counts and settings."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from webapp.sandbox.faults import FaultInjector
from webapp.sandbox.store import Store


class RequestCounter:
    """Counts the Twilio API requests received, by `METHOD /path-template`; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, method: str, template: str) -> None:
        """Count one request."""
        with self._lock:
            self._counts[f"{method} {template}"] += 1

    def snapshot(self) -> dict[str, int]:
        """Return the counts so far, by key."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    def clear(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self._counts.clear()


MAX_CONCURRENCY = 10_000
"""The highest concurrency cap the sandbox accepts (0 means none)."""


class TrafficGate:
    """Admits Twilio API requests up to `max_concurrency` in flight (0: no cap) and counts what it saw.

    Safe across threads. `stats()` is what `GET /_sandbox/stats` answers: requests received, the most in
    flight at once, how many were answered 429 (by the cap or by an injected fault), and the status
    callbacks the sandbox sent that were answered 2xx (`callbacks_sent`) or not (`callbacks_failed`).
    """

    def __init__(self, max_concurrency: int = 0) -> None:
        self._lock = threading.Lock()
        self.max_concurrency = max_concurrency
        self._in_flight = 0
        self._requests = 0
        self._max_in_flight = 0
        self._429s = 0
        self._callbacks_sent = 0
        self._callbacks_failed = 0

    def enter(self) -> bool:
        """Count a request and let it in; False (not in flight) when the cap is reached."""
        with self._lock:
            self._requests += 1
            if self.max_concurrency and self._in_flight >= self.max_concurrency:
                return False
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return True

    def leave(self) -> None:
        """Mark a request that `enter` let in as answered."""
        with self._lock:
            self._in_flight -= 1

    def count_429(self) -> None:
        """Count one 429 answer."""
        with self._lock:
            self._429s += 1

    def count_callback(self, delivered: bool) -> None:
        """Count one status callback sent: `delivered` (a 2xx answer) or failed."""
        with self._lock:
            if delivered:
                self._callbacks_sent += 1
            else:
                self._callbacks_failed += 1

    def stats(self) -> dict[str, int]:
        """Return `requests`, `max_in_flight`, `429s`, `callbacks_sent` and `callbacks_failed` since start or
        the last `clear`."""
        with self._lock:
            return {
                "requests": self._requests,
                "max_in_flight": self._max_in_flight,
                "429s": self._429s,
                "callbacks_sent": self._callbacks_sent,
                "callbacks_failed": self._callbacks_failed,
            }

    def clear(self) -> None:
        """Start the statistics from zero; requests in flight now still count as in flight."""
        with self._lock:
            self._requests = self._429s = self._callbacks_sent = self._callbacks_failed = 0
            self._max_in_flight = self._in_flight


@dataclass
class EmergencySettings:
    """How the sandbox's emergency-address registrations go (`emergency.py`); changed through
    `PUT /_sandbox/emergency`."""

    delay_seconds: float = 2.0
    fail_registration: bool = False
    fail_unregistration: bool = False
    reason: str = "The address could not be matched in the 911 database."

    def describe(self) -> dict[str, Any]:
        """Return the settings as the control API shows them."""
        return {
            "delay_seconds": self.delay_seconds,
            "fail_registration": self.fail_registration,
            "fail_unregistration": self.fail_unregistration,
            "reason": self.reason,
        }


@dataclass
class SandboxState:
    """Everything the sandbox's request handlers share; `latency_ms`, `pool_size` and the traffic cap
    change at run time."""

    store: Store
    faults: FaultInjector
    account_sid: str
    auth_token: str
    pool_size: int
    latency_ms: int = 0
    counter: RequestCounter = field(default_factory=RequestCounter)
    traffic: TrafficGate = field(default_factory=TrafficGate)
    emergency: EmergencySettings = field(default_factory=EmergencySettings)
    rings: list[threading.Thread] = field(default_factory=list)
    """Calls ringing a voice URL, and delayed status callbacks, in the background (`voice.py`,
    `status_callback.py`); a reset of the state waits for them."""

    def wait_for_rings(self, timeout: float) -> None:
        """Wait up to `timeout` seconds in all for the calls ringing now to end, and forget ended ones."""
        deadline = time.monotonic() + timeout
        for thread in list(self.rings):
            thread.join(max(0.0, deadline - time.monotonic()))
        self.rings[:] = [thread for thread in self.rings if thread.is_alive()]


EXTENSION_KEY = "twilio_sandbox"
"""Where the sandbox's Flask app keeps its `SandboxState` (`app.extensions[EXTENSION_KEY]`)."""


def current_state() -> SandboxState:
    """Return the state of the sandbox serving the current request."""
    return current_app.extensions[EXTENSION_KEY]
