"""How every job starts: record its `Activity`, or find the one in flight, then put the job on the queue.

At most one provision per business and one re-sync per number are in flight: the partial unique indexes on
`activities` refuse a second one atomically, and the caller gets the Activity in flight instead. When Redis
does not answer, `QueueUnavailable` is raised and nothing is left behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from redis.exceptions import RedisError
from sqlalchemy import Select

from webapp.extensions import db
from webapp.jobs.enqueue.lost_jobs import live_activity
from webapp.jobs.enqueue.queue import enqueue_job
from webapp.jobs.running.errors import QueueUnavailable
from webapp.models import (
    IN_FLIGHT,
    Activity,
    ActivityKind,
    PhoneNumber,
    User,
    ValidationError,
    commit_or_raise,
)
from webapp.redis_connection import get_redis

logger = logging.getLogger(__name__)

INSERT_ATTEMPTS = 3
"""Tries to record an Activity when a concurrent one keeps ending between our insert and our look-up."""


def requester_id(user: User | None) -> uuid.UUID | None:
    """Return the id of the user asking, or None for the system."""
    return user.id if user is not None else None


def in_flight_query(kind: ActivityKind, target: object) -> Select[Activity]:
    """Return the select of the queued or running Activity of `kind` for a target."""
    return db.select(Activity).where(Activity.kind == kind, Activity.status.in_(IN_FLIGHT), target)


def start_activity(new_activity: Callable[[], Activity], in_flight: Select[Activity] | None) -> Activity:
    """Record a new Activity (or find the one in flight) and enqueue its job; see the module docstring.

    Args:
        new_activity: returns the Activity to record (called again if an insert must be retried).
        in_flight: selects the Activity in flight that makes a new one unnecessary, or None when any
            number may run at once.
    """
    check_queue()
    for attempt in range(1, INSERT_ATTEMPTS + 1):
        if in_flight is not None and (running := live_activity(in_flight)) is not None:
            return running
        activity = new_activity()
        activity.rq_job_id = job_id = uuid.uuid4().hex
        db.session.add(activity)
        try:
            commit_or_raise(db.session)
            break
        except ValidationError:
            if in_flight is None or attempt == INSERT_ATTEMPTS:
                raise
    enqueue_recorded([activity.id], job_id, lambda: enqueue_job(activity.kind, str(activity.id), job_id))
    return activity


def start_for_number(
    kind: ActivityKind, number: PhoneNumber, requested_by: User | None, result: dict | None = None
) -> Activity:
    """Record and enqueue a `kind` Activity for `number` (with `result` as its starting result), or return
    the one of that kind in flight for it."""
    return start_activity(
        lambda: Activity(
            kind=kind,
            business_id=number.business_id,
            phone_number_id=number.id,
            requested_by_id=requester_id(requested_by),
            result=dict(result) if result is not None else None,
        ),
        in_flight_query(kind, Activity.phone_number_id == number.id),
    )


def enqueue_recorded(activity_ids: list[uuid.UUID], job_id: str, enqueue: Callable[[], None]) -> None:
    """Run `enqueue`, which puts job `job_id` of the Activities just recorded on the queue; when Redis fails,
    delete those Activities and raise.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    try:
        enqueue()
    except RedisError as error:
        logger.error("Could not enqueue activities %s: %s", ", ".join(map(str, activity_ids)), error)
        db.session.execute(db.delete(Activity).where(Activity.id.in_(activity_ids)))
        db.session.commit()
        raise QueueUnavailable() from error
    logger.info("%d activities (%s) queued as job %s", len(activity_ids), activity_ids[0], job_id)


def check_queue() -> None:
    """Raise `QueueUnavailable` unless Redis answers, before anything is written."""
    try:
        get_redis().ping()
    except RedisError as error:
        logger.error("Redis did not answer: %s", error)
        raise QueueUnavailable() from error
