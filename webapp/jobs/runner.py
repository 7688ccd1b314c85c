"""How every job runs: in the jobs' app, with its Activity kept accurate and transient failures retried.

Transient Twilio failures (`TwilioUnavailable`, which includes an open circuit breaker, and `RateLimited`)
return RQ's `Retry` with the growing `JOB_RETRY_INTERVALS`; once they are used up, the error is raised.
Every other error propagates: RQ records it and the failure callback (`failures.py`) fails the Activity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rq import Retry

from webapp.extensions import db
from webapp.jobs.runtime import job_context
from webapp.jobs.tracking import start_attempt, succeed, wait_for_retry
from webapp.models import Activity
from webapp.twilio_client import RateLimited, TwilioUnavailable

TRANSIENT = (TwilioUnavailable, RateLimited)
"""Failures that may pass if the job runs again later."""


def run_activity(
    activity_id: str, work: Callable[[Activity], dict[str, Any]]
) -> dict[str, Any] | Retry | None:
    """Run `work` for the Activity and record how it ended; return its result, a `Retry`, or None.

    None means the Activity was gone or had already ended, and nothing was done.
    """
    with job_context() as app:
        activity = start_attempt(activity_id)
        if activity is None:
            return None
        try:
            result = work(activity)
        except TRANSIENT as error:
            intervals = app.config["JOB_RETRY_INTERVALS"]
            if activity.attempts > len(intervals):
                raise
            db.session.rollback()
            return wait_for_retry(activity, error, intervals)
        succeed(activity, result)
        return result
