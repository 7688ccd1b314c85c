"""Starting jobs: the one module the console and the CLI call.

Each function records an `Activity` (`queued`, with the id of its RQ job), enqueues the job and returns the
Activity. At most one provision per business and one re-sync per number are in flight: the partial unique
indexes on `activities` refuse a second one atomically, and the caller gets the Activity in flight instead.
When Redis does not answer, `QueueUnavailable` is raised and nothing is left behind.

`enqueue_resyncs` starts many re-syncs at once: still one Activity per number, under the same rule, but up
to `RESYNC_BATCH_SIZE` of them share one RQ job, because a forked work-horse per number costs more than the
number's own Twilio request.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import Row, Select

from webapp.extensions import db
from webapp.jobs.errors import QueueUnavailable
from webapp.jobs.queue import enqueue_job, enqueue_resync_batch, get_queue
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
from webapp.models.phone_format import check_area_code
from webapp.redis_connection import get_redis

__all__ = [
    "QueueUnavailable",
    "enqueue_check",
    "enqueue_provision",
    "enqueue_resync",
    "enqueue_resync_drifted",
    "enqueue_resyncs",
    "retry_activity",
]

logger = logging.getLogger(__name__)

INSERT_ATTEMPTS = 3
"""Tries to record an Activity when a concurrent one keeps ending between our insert and our look-up."""

LOST_JOB_GRACE = timedelta(minutes=2)
"""An in-flight Activity older than this whose RQ job is gone or ended is failed as lost, not returned."""

JOB_ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)

RESYNC_BATCH_SIZE = 25
"""The most re-syncs one RQ job runs in turn when many start at once (`enqueue_resyncs`): enough that the
work-horse's fork, database connection and client cost a few percent of the batch's Twilio requests."""


@dataclass
class ResyncsStarted:
    """What `enqueue_resyncs` did: the ids of the Activities it recorded, and of those already in flight."""

    started: list[uuid.UUID] = field(default_factory=list)
    already_in_flight: list[uuid.UUID] = field(default_factory=list)


def enqueue_provision(
    business: Business, requested_by: User | None, area_code: str | None = None
) -> Activity:
    """Start provisioning a number for `business` (in `area_code`, else its preferred one, else anywhere).

    Returns the provision already in flight for it, if there is one.

    Raises:
        ValidationError: `area_code` is malformed.
        QueueUnavailable: Redis did not answer.
    """
    if area_code is not None:
        check_area_code(area_code)
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


def enqueue_resyncs(
    numbers: Sequence[PhoneNumber] | Sequence[Row[tuple[uuid.UUID, uuid.UUID]]],
    requested_by: User | None,
    progress: Callable[[int], None] | None = None,
) -> ResyncsStarted:
    """Start setting many numbers' voice webhooks to today's settings: one Activity each, as `enqueue_resync`
    would record it, in batches of up to `RESYNC_BATCH_SIZE` Activities per RQ job (`resync_batch_size`).

    `numbers` may be rows of (`id`, `business_id`) rather than whole numbers. A number with a re-sync in
    flight gets no new one; the id of the one in flight is reported instead. `progress` is called with how
    many numbers were handled after each batch.

    Raises:
        QueueUnavailable: Redis did not answer (batches enqueued before that stay queued).
    """
    check_queue()
    outcome = ResyncsStarted()
    # Read before the first commit expires the rows (each would be read again, one query per number).
    targets = [(number.id, number.business_id) for number in numbers]
    size = resync_batch_size(len(targets))
    for first in range(0, len(targets), size):
        start_resync_batch(targets[first : first + size], requested_by, outcome)
        if progress is not None:
            progress(min(first + size, len(targets)))
    return outcome


def resync_batch_size(count: int) -> int:
    """Return how many of `count` re-syncs to put in each job: at most `RESYNC_BATCH_SIZE`, and as evenly as
    makes the number of jobs a whole multiple of the live workers, so that they all finish together."""
    try:
        workers = max(1, Worker.count(queue=get_queue()))
    except RedisError:
        workers = 1  # enqueueing will say that Redis is down
    rounds = math.ceil(count / (workers * RESYNC_BATCH_SIZE))
    return max(1, math.ceil(count / (workers * max(1, rounds))))


def start_resync_batch(
    targets: Sequence[tuple[uuid.UUID, uuid.UUID]], requested_by: User | None, outcome: ResyncsStarted
) -> None:
    """Record a re-sync Activity for each (number id, business id) with none in flight; enqueue them as
    one job."""
    maybe_busy = set(
        db.session.scalars(
            in_flight_query(
                ActivityKind.WEBHOOK_RESYNC,
                Activity.phone_number_id.in_([number_id for number_id, _ in targets]),
            ).with_only_columns(Activity.phone_number_id)
        )
    )
    free: list[tuple[uuid.UUID, uuid.UUID]] = []
    for number_id, business_id in targets:
        running = (
            live_activity(in_flight_query(ActivityKind.WEBHOOK_RESYNC, Activity.phone_number_id == number_id))
            if number_id in maybe_busy
            else None
        )
        if running is not None:
            outcome.already_in_flight.append(running.id)
        else:
            free.append((number_id, business_id))
    if not free:
        return
    job_id = uuid.uuid4().hex
    batch_ids = [uuid.uuid4() for _ in free]
    db.session.add_all(
        Activity(
            id=activity_id,
            kind=ActivityKind.WEBHOOK_RESYNC,
            business_id=business_id,
            phone_number_id=number_id,
            requested_by_id=requester_id(requested_by),
            rq_job_id=job_id,
        )
        for activity_id, (number_id, business_id) in zip(batch_ids, free, strict=True)
    )
    try:
        commit_or_raise(db.session)
    except ValidationError:
        # A re-sync of one of them started since we looked: record them one at a time instead.
        for number_id, _ in free:
            number = db.session.get(PhoneNumber, number_id)
            if number is not None:
                outcome.started.append(enqueue_resync(number, requested_by).id)
        return
    enqueue_or_forget(batch_ids, lambda: enqueue_resync_batch([str(i) for i in batch_ids], job_id))
    logger.info("%d re-sync activities queued as job %s", len(batch_ids), job_id)
    outcome.started += batch_ids


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
    enqueue_or_forget([activity.id], lambda: enqueue_job(activity.kind, str(activity.id), activity.rq_job_id))
    logger.info("Activity %s (%s) queued as job %s", activity.id, activity.kind, activity.rq_job_id)
    return activity


def enqueue_or_forget(activity_ids: list[uuid.UUID], enqueue: Callable[[], None]) -> None:
    """Run `enqueue`; when Redis fails, delete the Activities just recorded for it and raise.

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
