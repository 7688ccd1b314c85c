"""Waiting for Twilio without holding a worker: a job whose change Twilio has not finished ends its run,
and RQ's scheduler runs it again later (the emergency-address registrations take minutes at Twilio).

The work raises `StillPending` with what it waits for and how to run the job again (`schedule`, given by
the raiser from `webapp.jobs.enqueue`); the runner records the wait, puts the Activity back to queued and
has the next look scheduled `EMERGENCY_POLL_SECONDS` later, a new RQ job that the Activity then names. A
look is not an attempt: the attempts count only the runs that try the change itself. After
`EMERGENCY_POLL_LIMIT` looks the Activity fails with the sentence the work gave.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app

from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.tracking import report_progress
from webapp.models import Activity, ActivityKind, ActivityStatus

logger = logging.getLogger(__name__)

Schedule = Callable[[ActivityKind, str, int], str]
"""Puts the job of an Activity (kind, id) on the queue after some seconds; returns the new RQ job's id."""


class StillPending(Exception):
    """Twilio has not finished the change the job waits for: look again later.

    Args:
        step: what the job waits for, shown as the Activity's step.
        gave_up: the Activity's error once the looks are used up.
        schedule: how to run the Activity's job again later.
    """

    def __init__(self, step: str, gave_up: str, schedule: Schedule) -> None:
        super().__init__(step)
        self.step = step
        self.gave_up = gave_up
        self.schedule = schedule


def look_again_later(activity: Activity, pending: StillPending) -> None:
    """Record the wait and schedule the Activity's next look.

    Raises:
        JobFailed: the Activity has used its `EMERGENCY_POLL_LIMIT` looks.
    """
    looks = (activity.result or {}).get("looks", 0) + 1
    if looks > current_app.config["EMERGENCY_POLL_LIMIT"]:
        raise JobFailed(pending.gave_up)
    delay = current_app.config["EMERGENCY_POLL_SECONDS"]
    activity.rq_job_id = pending.schedule(activity.kind, str(activity.id), delay)
    activity.status = ActivityStatus.QUEUED
    activity.attempts -= 1
    report_progress(activity, activity.progress_done or 0, step=pending.step, looks=looks)
    logger.info("Activity %s waits for Twilio (%s); look %d in %d s", activity.id, pending.step, looks, delay)
