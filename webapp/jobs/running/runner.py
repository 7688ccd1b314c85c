"""How every job runs: in the jobs' app, with its Activity kept accurate and transient failures retried.

Transient Twilio failures (`TwilioUnavailable`, which includes an open circuit breaker, and `RateLimited`)
return RQ's `Retry` with the growing `JOB_RETRY_INTERVALS`; once they are used up, the error is raised.
Every other error propagates: RQ records it and the failure callback (`failures.py`) fails the Activity.

`run_activities` runs a batch of Activities that share one job (`batches.py`) the same way, one after the
other, so that one number's failure does not stop the others; their steps are committed together
(`saving.grouped_saves`).

A database that stops answering mid-job (`DATABASE_UNREACHABLE`) cannot even be told the job failed: the job
is put back with the same intervals instead, and when the database is back it runs again from the start.
Nothing was half-written (each step commits whole), and a number bought before the outage is adopted by the
next run rather than bought again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from rq import Retry, get_current_job
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from webapp.extensions import db
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.failures import expected_failure_message
from webapp.jobs.running.follow_up import StillPending, look_again_later
from webapp.jobs.running.runtime import job_context
from webapp.jobs.running.saving import grouped_saves, save, undo
from webapp.jobs.running.tracking import (
    fail_activity,
    retry_on,
    start_attempt,
    start_attempts,
    succeed,
    wait_for_retry,
)
from webapp.models import Activity, ValidationError
from webapp.twilio_client import ApiError, RateLimited, TwilioUnavailable

logger = logging.getLogger(__name__)

TRANSIENT = (TwilioUnavailable, RateLimited)
"""Failures that may pass if the job runs again later."""


DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
"""The database did not answer (down, connection lost, or SQLite's write lock held too long)."""


GivingUp = Callable[[Activity], None]
"""Called for an Activity whose transient failures used up its retries, before it fails."""


def run_activity(
    activity_id: str, work: Callable[[Activity], dict[str, Any]], giving_up: GivingUp | None = None
) -> dict[str, Any] | Retry | None:
    """Run `work` for the Activity and record how it ended; return its result, a `Retry`, or None.

    None means the Activity was gone or had already ended, and nothing was done, or that it waits for Twilio
    and runs again later (`follow_up.py`).
    """
    with job_context() as app:
        intervals = app.config["JOB_RETRY_INTERVALS"]
        try:
            activity = start_attempt(activity_id)
            if activity is None:
                return None
            try:
                result = work(activity)
            except TRANSIENT as error:
                if (retry := retry_later(activity, error, intervals)) is None:
                    if giving_up is not None:
                        giving_up(activity)
                    raise
                return retry
            except StillPending as pending:
                look_again_later(activity, pending)
                return None
            succeed(activity, result)
            return result
        except DATABASE_UNREACHABLE as error:
            return retry_after_database_outage(error, intervals)


def retry_later(activity: Activity, error: Exception, intervals: list[int]) -> Retry | None:
    """After a transient failure, put the Activity back to wait for the next of `intervals` and return the
    `Retry`; None once it has used them all (the failure is then the Activity's end)."""
    undo()
    if activity.attempts > len(intervals):
        return None
    return wait_for_retry(activity, error, intervals)


def retry_after_database_outage(error: Exception, intervals: list[int]) -> Retry:
    """Return the `Retry` that runs the current job again once the database may be back.

    Raises:
        `error` again once the job has used up its retries.
    """
    job = get_current_job()
    retries = (job.number_of_retries or 0) if job is not None else len(intervals)
    if retries >= len(intervals):
        raise error
    with suppress(SQLAlchemyError):
        db.session.rollback()
    logger.warning(
        "The database did not answer (%s); job %s runs again in %d s",
        type(error).__name__,
        job.id if job is not None else "?",
        intervals[retries],
    )
    return retry_on(intervals)


def run_activities(
    activity_ids: list[str],
    work: Callable[[Activity], dict[str, Any]],
    giving_up: GivingUp | None = None,
    *,
    deferred_writes: bool = False,
) -> dict[str, int] | Retry:
    """Run `work` for each Activity in turn, each recorded as `run_activity` records a job of its own, except
    that all of them start together (`start_attempts`, one statement: their Twilio calls go out together).

    A failure of one Activity's own (`JobFailed`, a validation error, a Twilio answer) fails that Activity
    and the batch goes on. A transient one puts it back in the queue; once the batch is through, the job
    returns a `Retry`, and the retry runs only the Activities still queued (`start_attempts` skips those that
    ended). Any other error propagates: RQ records it and the failure callback fails every Activity of the
    batch not yet ended.

    An Activity that waits for Twilio (`StillPending`) goes on as a job of its own (`follow_up.py`).

    `deferred_writes`: the steps only change and add rows and read nothing they wrote, so their writes can
    wait for the grouped commit (`saving.grouped_saves`).

    Returns how many Activities succeeded, failed, wait for a retry or for Twilio, or were skipped, or the
    `Retry`.
    """
    with job_context() as app:
        intervals = app.config["JOB_RETRY_INTERVALS"]
        try:
            with grouped_saves(deferred=deferred_writes):
                return run_in_turn(activity_ids, work, intervals, giving_up)
        except DATABASE_UNREACHABLE as error:
            return retry_after_database_outage(error, intervals)


def run_in_turn(
    activity_ids: list[str],
    work: Callable[[Activity], dict[str, Any]],
    intervals: list[int],
    giving_up: GivingUp | None,
) -> dict[str, int] | Retry:
    """The body of `run_activities`, in its app context."""
    outcome = dict.fromkeys(("succeeded", "failed", "retrying", "waiting", "skipped"), 0)
    retry: Retry | None = None
    started = start_attempts(activity_ids)
    for activity_id in activity_ids:
        activity = started.get(activity_id)
        if activity is None:
            outcome["skipped"] += 1
            continue
        try:
            result = work(activity)
        except TRANSIENT as error:
            if (retried := retry_later(activity, error, intervals)) is not None:
                retry = retried
                outcome["retrying"] += 1
                continue
            if giving_up is not None:
                giving_up(activity)
            failed: JobFailed | ValidationError | ApiError = error
        except StillPending as pending:
            try:
                look_again_later(activity, pending)
            except JobFailed as error:
                failed = error
            else:
                outcome["waiting"] += 1
                continue
        except (JobFailed, ValidationError, ApiError) as error:
            undo()
            failed = error
        else:
            succeed(activity, result)
            outcome["succeeded"] += 1
            continue
        message = expected_failure_message(failed)
        logger.warning("Activity %s (%s) failed: %s", activity.id, activity.kind, message)
        fail_activity(activity, message)
        save()
        outcome["failed"] += 1
    return retry or outcome
