"""Starting jobs: the one module the console and the CLI call.

Each function records an `Activity` (`queued`, with the id of its RQ job), enqueues the job and returns the
Activity. At most one provision per business and one re-sync per number are in flight: the partial unique
indexes on `activities` refuse a second one atomically, and the caller gets the Activity in flight instead.
When Redis does not answer, `QueueUnavailable` is raised and nothing is left behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import Select

from webapp.extensions import db
from webapp.jobs.errors import QueueUnavailable
from webapp.jobs.queue import enqueue_job
from webapp.jobs.tracking import fail_job_activity
from webapp.models import (
    IN_FLIGHT,
    Activity,
    ActivityKind,
    ActivityStatus,
    Business,
    PhoneNumber,
    User,
    ValidationError,
    commit_or_raise,
)
from webapp.models.base import utcnow
from webapp.models.phone_format import AREA_CODE_PATTERN
from webapp.redis_connection import get_redis

__all__ = [
    "QueueUnavailable",
    "enqueue_check",
    "enqueue_provision",
    "enqueue_resync",
    "enqueue_resync_drifted",
    "retry_activity",
]

logger = logging.getLogger(__name__)

INSERT_ATTEMPTS = 3
"""Tries to record an Activity when a concurrent one keeps ending between our insert and our look-up."""

LOST_JOB_GRACE = timedelta(minutes=2)
"""An in-flight Activity older than this whose RQ job is gone or ended is failed as lost, not returned."""

JOB_ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def enqueue_provision(
    business: Business, requested_by: User | None, area_code: str | None = None
) -> Activity:
    """Start provisioning a number for `business` (in `area_code`, else its preferred one, else anywhere).

    Returns the provision already in flight for it, if there is one.

    Raises:
        ValidationError: `area_code` is malformed.
        QueueUnavailable: Redis did not answer.
    """
    if area_code is not None and not AREA_CODE_PATTERN.match(area_code):
        raise ValidationError("area_code", "Area code must be 3 digits, the first from 2 to 9 (e.g. 415).")
    return start(
        lambda: Activity(
            kind=ActivityKind.PROVISION,
            business_id=business.id,
            requested_by_id=requester_id(requested_by),
            result={"requested_area_code": area_code} if area_code else None,
        ),
        in_flight_query(ActivityKind.PROVISION, Activity.business_id == business.id),
    )


def enqueue_resync(number: PhoneNumber, requested_by: User | None) -> Activity:
    """Start setting `number`'s voice webhook to today's settings; returns the re-sync in flight, if any.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start(
        lambda: Activity(
            kind=ActivityKind.WEBHOOK_RESYNC,
            business_id=number.business_id,
            phone_number_id=number.id,
            requested_by_id=requester_id(requested_by),
        ),
        in_flight_query(ActivityKind.WEBHOOK_RESYNC, Activity.phone_number_id == number.id),
    )


def enqueue_check(
    numbers_or_all: PhoneNumber | list[PhoneNumber] | None, requested_by: User | None
) -> Activity:
    """Start checking the webhooks of one number, a list of numbers, or all (None), as one Activity.

    Raises:
        ValidationError: the list is empty.
        QueueUnavailable: Redis did not answer.
    """
    fields: dict[str, object] = {}
    if isinstance(numbers_or_all, PhoneNumber):
        fields = {"phone_number_id": numbers_or_all.id, "business_id": numbers_or_all.business_id}
    elif numbers_or_all is not None:
        if not numbers_or_all:
            raise ValidationError("numbers", "Choose at least one number to check.")
        fields = {"result": {"number_ids": sorted(str(number.id) for number in numbers_or_all)}}
    return start(
        lambda: Activity(
            kind=ActivityKind.WEBHOOK_CHECK, requested_by_id=requester_id(requested_by), **fields
        ),
        None,
    )


def enqueue_resync_drifted(requested_by: User | None) -> Activity:
    """Start a job that enqueues a re-sync for every drifted or erroring number.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start(
        lambda: Activity(kind=ActivityKind.RESYNC_DRIFTED, requested_by_id=requester_id(requested_by)), None
    )


def retry_activity(activity: Activity, requested_by: User | None) -> Activity:
    """Start the failed `activity` again: the same kind of job for the same target.

    Raises:
        ValidationError: the activity has not failed, or its target no longer exists.
        QueueUnavailable: Redis did not answer.
    """
    if activity.status != ActivityStatus.FAILED:
        raise ValidationError(
            "status", f"Only a failed activity can be retried; this one is {activity.status}."
        )
    saved = activity.result or {}
    if activity.kind == ActivityKind.PROVISION:
        if activity.business is None:
            raise ValidationError("business", "The business of this activity was deleted.")
        return enqueue_provision(activity.business, requested_by, saved.get("requested_area_code"))
    if activity.kind == ActivityKind.WEBHOOK_RESYNC:
        if activity.phone_number is None:
            raise ValidationError("phone_number", "The number of this activity was deleted.")
        return enqueue_resync(activity.phone_number, requested_by)
    if activity.kind == ActivityKind.WEBHOOK_CHECK:
        return enqueue_check(checked_numbers(activity), requested_by)
    if activity.kind == ActivityKind.RESYNC_DRIFTED:
        return enqueue_resync_drifted(requested_by)
    raise ValidationError("kind", f"A {activity.kind} activity cannot be retried from here.")


def checked_numbers(activity: Activity) -> PhoneNumber | list[PhoneNumber] | None:
    """Return what a check Activity checked: its number, those of its list that still exist, or None (all).

    Raises:
        ValidationError: its numbers were deleted.
    """
    listed = (activity.result or {}).get("number_ids")
    if activity.phone_number_id is None and listed is None:
        return None
    if activity.phone_number_id is not None:
        numbers = [activity.phone_number] if activity.phone_number is not None else []
    else:
        ids = [uuid.UUID(text) for text in listed]
        numbers = list(db.session.scalars(db.select(PhoneNumber).where(PhoneNumber.id.in_(ids))))
    if not numbers:
        raise ValidationError("phone_number", "The numbers of this activity were deleted.")
    return numbers[0] if activity.phone_number_id is not None else numbers


def requester_id(user: User | None) -> uuid.UUID | None:
    """Return the id of the user asking, or None for the system."""
    return user.id if user is not None else None


def in_flight_query(kind: ActivityKind, target: object) -> Select[tuple[Activity]]:
    """Return the select of the queued or running Activity of `kind` for a target."""
    return db.select(Activity).where(Activity.kind == kind, Activity.status.in_(IN_FLIGHT), target)


def start(new_activity: Callable[[], Activity], in_flight: Select[tuple[Activity]] | None) -> Activity:
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
        activity.rq_job_id = uuid.uuid4().hex
        db.session.add(activity)
        try:
            commit_or_raise(db.session)
            break
        except ValidationError:
            if in_flight is None or attempt == INSERT_ATTEMPTS:
                raise
    try:
        enqueue_job(activity.kind, str(activity.id), activity.rq_job_id)
    except RedisError as error:
        logger.error("Could not enqueue activity %s (%s): %s", activity.id, activity.kind, error)
        db.session.delete(activity)
        db.session.commit()
        raise QueueUnavailable() from error
    logger.info("Activity %s (%s) queued as job %s", activity.id, activity.kind, activity.rq_job_id)
    return activity


def check_queue() -> None:
    """Raise `QueueUnavailable` unless Redis answers, before anything is written."""
    try:
        get_redis().ping()
    except RedisError as error:
        logger.error("Redis did not answer: %s", error)
        raise QueueUnavailable() from error


def live_activity(in_flight: Select[tuple[Activity]]) -> Activity | None:
    """Return the Activity in flight, unless it is old and its RQ job is gone or ended (then fail it as lost).

    An Activity can outlive its job only if a process died between the two writes, or a failure callback
    could not reach the database; without this it would block its business or number for good.
    """
    activity = db.session.scalars(in_flight).first()
    if activity is None or utcnow() - activity.created_at < LOST_JOB_GRACE:
        return activity
    try:
        job_ended = Job.fetch(activity.rq_job_id or "", connection=get_redis()).get_status() in JOB_ENDED
    except NoSuchJobError:
        job_ended = True
    if not job_ended:
        return activity
    fail_job_activity(
        activity.rq_job_id or "", "The job behind this activity was lost (its worker or Redis restarted)."
    )
    return None
