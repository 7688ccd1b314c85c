"""Twilio metrics, in any process that calls Twilio: each attempt of an operation by outcome, timed, and the
concurrency Twilio reports in its answers.

The client's errors name their own outcome (`ApiError.outcome`: `rate_limited`, `timeout`, ...); an
exception that is not one of them counts as `exception`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "switchboard_twilio_requests_total",
    "Attempts of a Twilio operation (a list may read several pages), by operation and outcome.",
    ["operation", "outcome"],
)
LATENCY = Histogram(
    "switchboard_twilio_request_duration_seconds",
    "Time an attempt of a Twilio operation took, by operation; attempts that sent nothing are left out.",
    ["operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30),
)
REPORTED_CONCURRENCY = Gauge(
    "switchboard_twilio_reported_concurrent_requests",
    "Twilio's Twilio-Concurrent-Requests header in its latest answer that carried it (0 until one did).",
    multiprocess_mode="mostrecent",
)

SUCCEEDED = "ok"
UNSENT = frozenset({"circuit_open", "no_slot"})
"""Outcomes of attempts that sent nothing: counted, not timed."""

CONCURRENCY_HEADER = "Twilio-Concurrent-Requests"


@contextmanager
def timed_attempt(operation: str) -> Iterator[None]:
    """Count and time one attempt of `operation`, its outcome read from the error it raises, if any."""
    started = time.perf_counter()
    outcome = SUCCEEDED
    try:
        yield
    except BaseException as error:
        outcome = getattr(error, "outcome", "exception")
        raise
    finally:
        REQUESTS.labels(operation, outcome).inc()
        if outcome not in UNSENT:
            LATENCY.labels(operation).observe(time.perf_counter() - started)


def note_answer(headers: Mapping[str, str] | None) -> None:
    """Keep the concurrency Twilio reports in an answer's headers, when it does."""
    value = (headers or {}).get(CONCURRENCY_HEADER)
    if value is not None and value.strip().isdigit():
        REPORTED_CONCURRENCY.set(int(value))
