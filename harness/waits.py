"""Bounded waits: poll a condition until it holds, and fail saying what never happened."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from rq.job import Job, JobStatus

from webapp.extensions import db
from webapp.jobs.enqueue.queue import get_queue
from webapp.jobs.tasks.lost_purchases import LOOK_JOB_PREFIX
from webapp.models import IN_FLIGHT, Activity

LOOK_PENDING = (JobStatus.SCHEDULED, JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED)
"""A look's job statuses while it may still start an Activity."""

POLL_SECONDS = 0.05
"""How often a wait looks again, unless told otherwise."""


def wait_until(
    condition: Callable[[], object], timeout: float, what: str, poll: float = POLL_SECONDS
) -> float:
    """Poll `condition` until it is true; return the `time.perf_counter()` at which it was seen true.

    Raises:
        AssertionError: it is still false after `timeout` seconds; the message names `what`.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(poll)
    return time.perf_counter()


def in_new_transaction(condition: Callable[[], object]) -> Callable[[], object]:
    """Return `condition` looking in a new transaction each time, so that it sees other processes' commits."""

    def fresh() -> object:
        db.session.rollback()
        return condition()

    return fresh


def wait_for_activity(activity_id: uuid.UUID | str, timeout: float = 30.0) -> Activity:
    """Wait until the Activity is no longer queued or running, and return it.

    Raises:
        AssertionError: it does not exist, or is still in flight after `timeout` seconds.
    """
    activity_id = uuid.UUID(str(activity_id))

    def ended() -> bool:
        activity = db.session.get(Activity, activity_id)
        assert activity is not None, f"Activity {activity_id} does not exist"
        return not activity.is_in_flight

    wait_until(in_new_transaction(ended), timeout, f"Activity {activity_id} to end")
    activity = db.session.get(Activity, activity_id)
    assert activity is not None
    return activity


def looks_pending() -> int:
    """How many looks for a lost purchase (`lost_purchases.py`) are scheduled, queued or running, by each
    look's own job status: a job a worker has popped from the queue is in no registry until its work-horse
    starts it, but its status still says queued."""
    queue = get_queue()
    pattern = f"{Job.redis_job_namespace_prefix}{LOOK_JOB_PREFIX}*"
    ids = [
        key.decode().removeprefix(Job.redis_job_namespace_prefix)
        for key in queue.connection.scan_iter(pattern)
    ]
    jobs = Job.fetch_many(ids, connection=queue.connection)
    return sum(job is not None and job.get_status(refresh=False) in LOOK_PENDING for job in jobs)


def wait_until_nothing_in_flight(timeout: float) -> None:
    """Wait until no Activity is queued or running, and no look for a lost purchase is pending (it may start
    an Activity).

    Raises:
        AssertionError: some are still in flight after `timeout` seconds; the message says how many.
    """
    left: list[int] = []

    def none_in_flight() -> bool:
        query = db.select(db.func.count()).select_from(Activity).where(Activity.status.in_(IN_FLIGHT))
        left.append((db.session.scalar(query) or 0) + looks_pending())
        return left[-1] == 0

    try:
        wait_until(in_new_transaction(none_in_flight), timeout, "every activity to end", poll=0.2)
    except AssertionError:
        raise AssertionError(f"{left[-1]} activities or looks still in flight after {timeout} s") from None
