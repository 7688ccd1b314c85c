"""Keeping a job's Activity row accurate at every step: the console polls it for live status.

Every change is saved at once (`saving.save`: a commit, or in a batch, a step of its next commit at most
half a second later), in the job's own session, so a reader always sees where the job is.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rq import Retry
from sqlalchemy import func, update

from webapp.extensions import db
from webapp.jobs.running.saving import save
from webapp.metrics import jobs as job_metrics
from webapp.models import IN_FLIGHT, Activity, ActivityKind, ActivityStatus
from webapp.models.base import utcnow

logger = logging.getLogger(__name__)


def start_attempt(activity_id: str) -> Activity | None:
    """Mark the Activity running and count the attempt; None when it is gone or no longer in flight.

    A job whose Activity already ended (a duplicate, or one RQ moved to failed as abandoned while it still
    ran) must not act again.
    """
    activity = db.session.get(Activity, uuid.UUID(activity_id))
    if activity is None or not activity.is_in_flight:
        logger.warning("Activity %s is gone or has ended; its job does nothing", activity_id)
        return None
    activity.status = ActivityStatus.RUNNING
    activity.attempts += 1
    activity.started_at = activity.started_at or utcnow()
    # Logged before the commit, which expires the row: after it, each read would query it again.
    logger.info("Activity %s (%s) attempt %d started", activity.id, activity.kind, activity.attempts)
    save()
    return activity


def start_attempts(activity_ids: list[str]) -> dict[str, Activity]:
    """`start_attempt` for a batch's Activities in one statement (their Twilio calls go out together);
    return those started, by id. Those gone or ended are left out."""
    ids = [uuid.UUID(activity_id) for activity_id in activity_ids]
    statement = (
        update(Activity)
        .where(Activity.id.in_(ids), Activity.status.in_(IN_FLIGHT))
        .values(
            status=ActivityStatus.RUNNING,
            attempts=Activity.attempts + 1,
            started_at=func.coalesce(Activity.started_at, utcnow()),
        )
        .returning(Activity)
        .execution_options(populate_existing=True)
    )
    started = {str(activity.id): activity for activity in db.session.scalars(statement)}
    for activity in started.values():
        logger.info("Activity %s (%s) attempt %d started", activity.id, activity.kind, activity.attempts)
    for activity_id in activity_ids:
        if activity_id not in started:
            logger.warning("Activity %s is gone or has ended; its job does nothing", activity_id)
    save()
    return started


def report_progress(activity: Activity, done: int, total: int | None = None, **result: Any) -> None:
    """Record how far the job is (`done` of `total`) and merge `result` into the Activity's result."""
    activity.progress_done = done
    if total is not None:
        activity.progress_total = total
    if result:
        activity.result = {**(activity.result or {}), **result}
    save()


def retry_on(intervals: list[int]) -> Retry:
    """RQ's `Retry` for a job on the `JOB_RETRY_INTERVALS`: one retry per interval, each after its own."""
    return Retry(max=len(intervals), interval=intervals)


def wait_for_retry(activity: Activity, error: Exception, intervals: list[int]) -> Retry:
    """Record a transient failure (the Activity goes back to queued) and return RQ's `Retry` for it."""
    wait = intervals[min(activity.attempts, len(intervals)) - 1]
    activity.status = ActivityStatus.QUEUED
    activity.error = f"Attempt {activity.attempts} failed, retrying in {wait} s: {error_sentence(error)}"
    job_metrics.job_ended(activity.kind, "retrying")
    save()
    logger.warning(
        "Activity %s attempt %d failed transiently; retry in %d s", activity.id, activity.attempts, wait
    )
    return retry_on(intervals)


def succeed(activity: Activity, result: dict[str, Any]) -> None:
    """Mark the Activity succeeded with `result` (committing whatever the job left in the session)."""
    activity.status = ActivityStatus.SUCCEEDED
    activity.error = None
    activity.result = {**(activity.result or {}), **result}
    if activity.progress_total is not None:
        activity.progress_done = activity.progress_total
    activity.finished_at = utcnow()
    logger.info("Activity %s (%s) succeeded", activity.id, activity.kind)
    job_metrics.job_ended(activity.kind, "succeeded", activity.duration_seconds)
    save()


def fail_job_activity(job_id: str, message: str) -> list[Activity]:
    """Mark every in-flight Activity of RQ job `job_id` failed with `message`; return them (often one).

    A batch of re-syncs shares one job: those it had not finished fail together. Idempotent: an Activity
    that already ended is left alone (RQ may report a finished job as abandoned).
    """
    failed = list(
        db.session.scalars(
            db.select(Activity).where(Activity.rq_job_id == job_id, Activity.status.in_(IN_FLIGHT))
        )
    )
    for activity in failed:
        fail_activity(activity, message)
        logger.warning("Activity %s (%s, job %s) failed: %s", activity.id, activity.kind, job_id, message)
    save()
    return failed


def fail_activity(activity: Activity, message: str) -> None:
    """Mark `activity` failed with `message` (uncommitted); a failed re-sync also sets its number's
    `webhook_error`."""
    activity.status = ActivityStatus.FAILED
    activity.error = message if activity.attempts < 2 else f"{message} (Attempts: {activity.attempts}.)"
    activity.finished_at = utcnow()
    job_metrics.job_ended(activity.kind, "failed", activity.duration_seconds)
    if activity.kind == ActivityKind.WEBHOOK_RESYNC and activity.phone_number is not None:
        activity.phone_number.webhook_error = message


def error_sentence(error: BaseException) -> str:
    """Return what went wrong as a sentence, without request details (Twilio's message and code)."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    code = getattr(error, "code", None)
    return f"{message} (Twilio error {code})" if code else message
