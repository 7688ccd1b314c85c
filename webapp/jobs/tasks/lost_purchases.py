"""After a provision gives up on a Twilio outage: look for a number its purchase bought with the answer lost.

A purchase whose answer never came may have gone through. The provision's own attempts look for such a number
first, but when Twilio stays unreachable until they are used up, the Activity fails and the number would be
billed with no row recording it (an orphan). So giving up schedules this look, once the first of the
`JOB_RETRY_INTERVALS` has passed, and again on RQ's retries while Twilio is still unreachable. A number named
for the business that no row records is adopted through the orphans' `adopt` job, as an `adopt` Activity the
business's page shows; nothing is ever bought here.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError

from webapp.extensions import db
from webapp.jobs.enqueue.orphans import enqueue_orphan_adoption
from webapp.jobs.enqueue.queue import get_queue
from webapp.jobs.running.runtime import job_context
from webapp.jobs.running.tracking import retry_on
from webapp.jobs.running.twilio_state import friendly_name_for
from webapp.models import Activity, PhoneNumber
from webapp.twilio_client import get_client

logger = logging.getLogger(__name__)

LOOK_TIMEOUT_SECONDS = 120
"""One listing by FriendlyName, with the client's own retries."""

LOOK_JOB_PREFIX = "lost-purchase-"
"""The RQ job id of a look is this and the provision Activity's id (one look per Activity)."""


def schedule_lost_purchase_look(activity: Activity) -> None:
    """Schedule `look_for_lost_purchase` for the provision Activity that is giving up (with Redis down too,
    log that the next listing check will find any such number as an orphan)."""
    intervals = current_app.config["JOB_RETRY_INTERVALS"]
    try:
        get_queue().enqueue_in(
            timedelta(seconds=intervals[0]),
            look_for_lost_purchase,
            str(activity.id),
            job_id=f"{LOOK_JOB_PREFIX}{activity.id}",
            retry=retry_on(intervals),
            job_timeout=LOOK_TIMEOUT_SECONDS,
            description=f"look for a number provision activity {activity.id} bought",
        )
    except RedisError as error:
        logger.warning(
            "Could not schedule the look for a number provision %s may have bought (%s); the next "
            "listing check finds any such number as an orphan",
            activity.id,
            type(error).__name__,
        )


def look_for_lost_purchase(activity_id: str) -> int:
    """RQ job: start adopting each number named for the provision's business that no row records, when the
    business still has no number; return how many."""
    with job_context():
        activity = db.session.get(Activity, uuid.UUID(activity_id))
        business = activity.business if activity is not None else None
        if business is None or business.phone_number is not None:
            return 0
        found = get_client().find_numbers(friendly_name=friendly_name_for(business))
        recorded = set(
            db.session.scalars(
                db.select(PhoneNumber.twilio_sid).where(PhoneNumber.twilio_sid.in_([n.sid for n in found]))
            )
        )
        lost = [number for number in found if number.sid not in recorded]
        for number in lost:
            logger.warning(
                "Provision %s gave up, but Twilio has %s (%s) named for its business: adopting it",
                activity_id,
                number.phone_number,
                number.sid,
            )
            orphan = {"e164": number.phone_number, "sid": number.sid, "friendly_name": number.friendly_name}
            enqueue_orphan_adoption(orphan, None)
        return len(lost)
