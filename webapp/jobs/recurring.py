"""Recurring jobs, scheduled by every worker process on RQ's own scheduler: each entry runs every
`interval` seconds while any worker runs.

A self-rescheduling job rather than RQ's `CronScheduler`: that one is a separate process (`rq cron`) that
`make run` and every deployment would have to start, and of which only one may run. Here every worker
(started with its scheduler, as `run_worker` does) calls `schedule_recurring` when it starts, and each
run schedules the next. A run's job id is the entry's name and its due time, rounded to the interval, so
two workers (or a worker and the previous run) scheduling the same run write one job, never two.

To add an entry, append a `Recurring` to `RECURRING`: its function takes no argument and runs in a job.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from rq import Queue, get_current_job
from rq.utils import import_attribute

from webapp.jobs.reads.call_backfill import INTERVAL_SECONDS as BACKFILL_INTERVAL_SECONDS
from webapp.jobs.reads.number_costs import READ_FUNCTION, REFRESH_SECONDS
from webapp.jobs.running.runtime import job_context
from webapp.jobs.tasks.fleet_gauges import INTERVAL_SECONDS as FLEET_INTERVAL_SECONDS
from webapp.jobs.tasks.health_sweep import SWEEP_INTERVAL_SECONDS
from webapp.metrics import jobs as job_metrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recurring:
    """A job function (by import path, taking no argument) and how often it runs, in seconds."""

    name: str
    function: str
    interval: int

    def next_run(self, now: float) -> int:
        """The epoch second of the first run due after `now`, on the interval's grid."""
        return (int(now) // self.interval + 1) * self.interval


RECURRING: list[Recurring] = [
    Recurring("release_cancelled", "webapp.jobs.tasks.scheduled.release_cancelled_job", 3600),
    Recurring("health_sweep", "webapp.jobs.tasks.health_sweep.start_recurring_sweep", SWEEP_INTERVAL_SECONDS),
    Recurring("number_prices", READ_FUNCTION, REFRESH_SECONDS),
    Recurring("prune_call_events", "webapp.jobs.tasks.scheduled.prune_call_events_job", 3600),
    Recurring("fleet_gauges", "webapp.jobs.tasks.fleet_gauges.count_fleet", FLEET_INTERVAL_SECONDS),
    Recurring(
        "backfill_calls", "webapp.jobs.reads.call_backfill.recurring_backfill", BACKFILL_INTERVAL_SECONDS
    ),
]
"""Every recurring job; another module may append its own before the workers start."""

JOB_TIMEOUT = 600
"""Each run's time limit in seconds: a sweep only enqueues other jobs."""


def job_id(entry: Recurring, due: int) -> str:
    """The RQ job id of the run of `entry` due at `due`."""
    return f"recurring-{entry.name}-{due}"


def schedule_recurring(queue: Queue, now: float | None = None) -> list[str]:
    """Schedule the next run of every entry on `queue`'s scheduler (harmless if already scheduled)."""
    moment = time.time() if now is None else now
    return [schedule(queue, entry, entry.next_run(moment)) for entry in RECURRING]


def schedule(queue: Queue, entry: Recurring, due: int) -> str:
    """Schedule `entry`'s run due at epoch second `due`; return its job id."""
    run_id = job_id(entry, due)
    queue.enqueue_at(
        datetime.fromtimestamp(due, UTC),
        "webapp.jobs.recurring.run_recurring",
        args=(entry.name,),
        job_id=run_id,
        timeout=JOB_TIMEOUT,
        result_ttl=entry.interval,
        failure_ttl=7 * 24 * 3600,
        description=f"recurring {entry.name}",
    )
    return run_id


def run_recurring(name: str) -> object:
    """RQ job: schedule the entry's next run, then run it."""
    entry = next(e for e in RECURRING if e.name == name)
    job = get_current_job()
    if job is not None:
        schedule(Queue(job.origin, connection=job.connection), entry, entry.next_run(time.time()))
    with job_context():
        result = import_attribute(entry.function)()
    job_metrics.recurring_succeeded(entry.name)
    return result
