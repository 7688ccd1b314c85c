"""The release job: give a number back to Twilio, then remove its row and keep its history.

Twilio first, then the database, in one commit: the row leaves only once Twilio no longer bills for the
number. A 404 from Twilio means it is already gone (released by hand, or by an attempt whose answer was
lost): that is a success, with a note. A release whose answer is lost is reconciled by the client, which
fetches the number (404 = released) before sending the DELETE again; a transient failure is retried by RQ.
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Retry

from webapp.extensions import db
from webapp.jobs.errors import JobFailed
from webapp.jobs.runner import run_activity
from webapp.jobs.tracking import report_progress
from webapp.models import Activity, NumberEvent, NumberHistory, PhoneNumber
from webapp.twilio_client import NotFound, get_client

logger = logging.getLogger(__name__)

ALREADY_RELEASED = "Twilio no longer had this number (it was already released); its record was removed."


def release_number(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: release the Activity's number (see the module docstring)."""
    return run_activity(activity_id, release)


def release(activity: Activity) -> dict[str, Any]:
    """Release the number at Twilio, remove it and record its history; return the Activity's result."""
    number = activity.phone_number
    if number is None:
        raise JobFailed("The number is no longer recorded; there is nothing to release.")
    report_progress(activity, 0, 2, step=f"Releasing {number.e164} at Twilio")
    note = None
    try:
        get_client().release_number(number.twilio_sid)
    except NotFound:
        note = ALREADY_RELEASED
    report_progress(activity, 1, step=f"Removing {number.e164}")
    forget(number, activity, note)
    logger.info("Activity %s: released %s (%s)", activity.id, number.e164, number.twilio_sid)
    return {"step": "Done", **({"note": note} if note else {})}


def forget(number: PhoneNumber, activity: Activity, note: str | None) -> None:
    """Replace the number's row by a history row (uncommitted: the Activity's success commits both)."""
    db.session.add(
        NumberHistory(
            event=NumberEvent.RELEASED,
            e164=number.e164,
            twilio_sid=number.twilio_sid,
            business_id=number.business_id,
            business_name=number.business.name,
            by_id=activity.requested_by_id,
            reason=(activity.result or {}).get("reason"),
            note=note,
            activity_id=activity.id,
        )
    )
    db.session.delete(number)
