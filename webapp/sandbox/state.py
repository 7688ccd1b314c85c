"""What one running sandbox holds: its store, fault injector, request counts and settings."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

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


@dataclass
class SandboxState:
    """Everything the sandbox's request handlers share; `latency_ms` and `pool_size` change at run time."""

    store: Store
    faults: FaultInjector
    account_sid: str
    auth_token: str
    pool_size: int
    latency_ms: int = 0
    counter: RequestCounter = field(default_factory=RequestCounter)


EXTENSION_KEY = "twilio_sandbox"
"""Where the sandbox's Flask app keeps its `SandboxState` (`app.extensions[EXTENSION_KEY]`)."""


def current_state() -> SandboxState:
    """Return the state of the sandbox serving the current request."""
    return current_app.extensions[EXTENSION_KEY]
