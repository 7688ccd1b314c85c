"""The Switchboard queue at a glance, read from Redis only (web process): for the dashboard and /metrics."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueSummary:
    """Jobs waiting, the age of the oldest (seconds; 0 when none waits), jobs failed and live workers."""

    name: str
    depth: int
    failed: int
    workers: int
    oldest_age: float = 0.0


def queue_summary(queue: Queue) -> QueueSummary | None:
    """Return the queue's summary, or None when Redis does not answer (the dashboard says so).

    A handful of cheap reads whatever the queue's length. The failed count skips RQ's registry clean-up, so
    reading it never changes anything from the web.
    """
    try:
        return QueueSummary(
            name=queue.name,
            depth=queue.count,
            failed=queue.failed_job_registry.get_job_count(cleanup=False),
            workers=Worker.count(queue=queue),
            oldest_age=oldest_age(queue),
        )
    except RedisError as error:
        logger.warning("queue unreachable: %s", error.__class__.__name__)
        return None


def oldest_age(queue: Queue) -> float:
    """Seconds the job at the head of the queue (the next to run, queued first) has waited; 0 when none."""
    for job_id in queue.get_job_ids(0, 1):
        try:
            enqueued = Job.fetch(job_id, connection=queue.connection).enqueued_at
        except NoSuchJobError:  # deleted while queued: RQ skips it when it comes up
            return 0.0
        if enqueued is not None:
            return max(0.0, (datetime.now(UTC) - enqueued).total_seconds())
    return 0.0
