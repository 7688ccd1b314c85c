"""What `/metrics` reads from Redis at each scrape, in the web process: the queue, the workers, the Twilio
account's concurrency limit and the circuit breakers. A dozen cheap reads, whatever the queue's length.

When Redis does not answer, `switchboard_redis_up` is 0 and the readings that need it are left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pybreaker
from flask import current_app
from prometheus_client.core import GaugeMetricFamily, Metric

from webapp.jobs.enqueue import get_queue
from webapp.jobs.reads.queues import queue_summary
from webapp.redis_connection import get_redis
from webapp.twilio_client import breaker_states, concurrency_state

BREAKER_STATES = (pybreaker.STATE_CLOSED, pybreaker.STATE_OPEN, pybreaker.STATE_HALF_OPEN)
"""Each breaker has one series per state: 1 for the state it is in, 0 for the others."""


class RedisReadings:
    """Reads Redis when collected (inside the scrape's request)."""

    def collect(self) -> Iterator[Metric]:
        """Yield the queue's, the workers', the concurrency limit's and the breakers' gauges."""
        summary = queue_summary(get_queue())
        yield GaugeMetricFamily(
            "switchboard_redis_up",
            "Whether Redis answered this scrape's reads.",
            value=float(summary is not None),
        )
        if summary is None:
            return
        for name, documentation, value in (
            ("switchboard_queue_jobs", "Jobs waiting in the queue.", summary.depth),
            (
                "switchboard_queue_oldest_job_age_seconds",
                "Seconds the oldest queued job has waited.",
                summary.oldest_age,
            ),
            ("switchboard_queue_failed_jobs", "Jobs in the queue's failed registry.", summary.failed),
            ("switchboard_queue_workers", "Live workers listening on the queue.", summary.workers),
        ):
            gauge = GaugeMetricFamily(name, documentation, labels=["queue"])
            gauge.add_metric([summary.name], value)
            yield gauge
        yield from self._twilio()

    def _twilio(self) -> Iterator[Metric]:
        concurrency = concurrency_state()
        if concurrency is not None:
            yield GaugeMetricFamily(
                "switchboard_twilio_concurrency_limit",
                "The account's current limit of Twilio requests at once (a 429 lowers it for a while).",
                value=concurrency.limit,
            )
            yield GaugeMetricFamily(
                "switchboard_twilio_requests_in_flight",
                "Twilio requests holding one of the account's slots now, across every process.",
                value=concurrency.in_flight,
            )
        states = GaugeMetricFamily(
            "switchboard_twilio_breaker_state",
            "Each circuit breaker's state: 1 for the state it is in (closed, open, half-open).",
            labels=["breaker", "state"],
        )
        for breaker in breaker_states(get_redis(), reset_timeout=current_app.config["BREAKER_RESET_TIMEOUT"]):
            for state in BREAKER_STATES:
                states.add_metric([breaker.name, state], float(breaker.state == state))
        yield states
