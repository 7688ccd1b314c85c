"""Lost-job recovery: an in-flight Activity whose RQ job is gone no longer blocks its target."""

from __future__ import annotations

from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import Select

from webapp.extensions import db
from webapp.jobs.running.tracking import fail_job_activity
from webapp.models import Activity
from webapp.models.base import utcnow
from webapp.redis_connection import get_redis

LOST_JOB_GRACE = timedelta(minutes=2)
"""An in-flight Activity older than this whose RQ job is gone or ended is failed as lost, not returned."""

JOB_ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def live_activity(in_flight: Select[Activity]) -> Activity | None:
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
