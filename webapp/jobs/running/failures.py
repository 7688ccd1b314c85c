"""RQ's failure hooks: whatever ends a job badly ends its Activity `failed`, with a reason.

- `record_job_failure`, the jobs' failure callback: RQ calls it in the work-horse when the job raised or
  hit its time limit, and in a live worker's clean-up when the job was abandoned (its worker died, found
  once the job's heartbeat expires).
- `record_dead_work_horse`: the worker calls it when the work-horse alone died (killed, out of memory),
  a case in which RQ runs no failure callback.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from redis import Redis
from rq.exceptions import AbandonedJobError
from rq.job import Job
from rq.timeouts import JobTimeoutException

from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runtime import job_context
from webapp.jobs.running.tracking import error_sentence, fail_job_activity
from webapp.models import ValidationError
from webapp.twilio_client import ApiError

RETRY_HINT = "Use Retry to run it again."

EXPECTED_FAILURES = (JobFailed, ValidationError, ApiError)
"""Errors that end a job with a sentence of their own (a rule, a Twilio refusal or outage): the Activity's
failure is logged in one line with that sentence, and the worker logs no traceback for them."""


def failure_message(error: BaseException | None, job: Job) -> str:
    """Return the sentence the Activity shows for the error that ended `job`."""
    if isinstance(error, AbandonedJobError):
        return f"The worker running this job died (its heartbeat stopped) before it finished. {RETRY_HINT}"
    if isinstance(error, JobTimeoutException):
        return f"The job ran longer than its {job.timeout} s limit and was stopped. {RETRY_HINT}"
    if isinstance(error, EXPECTED_FAILURES):
        return expected_failure_message(error)
    name = type(error).__name__ if error is not None else "unknown error"
    return f"An unexpected error ({name}) stopped the job; the worker log has the details for job {job.id}."


def expected_failure_message(error: JobFailed | ValidationError | ApiError) -> str:
    """Return the sentence the Activity shows for one of the `EXPECTED_FAILURES`."""
    if isinstance(error, JobFailed | ValidationError):
        return str(error)
    hint = f" {RETRY_HINT}" if error.retryable else ""
    return f"Twilio: {error_sentence(error)}.{hint}"


def record_job_failure(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    traceback: TracebackType | None,
) -> None:
    """RQ failure callback: mark the job's Activity failed (see the module docstring for when it runs)."""
    with job_context():
        fail_job_activity(job.id, failure_message(exc_value, job))


def record_dead_work_horse(job: Job, exit_status: Any) -> None:
    """Mark the job's Activity failed because the process running it died (`exit_status` from waitpid)."""
    with job_context():
        fail_job_activity(
            job.id,
            f"The worker process running this job died (exit status {exit_status}) before it finished. "
            f"{RETRY_HINT}",
        )
