"""The release job: give a number back to Twilio, then remove its row and keep its history.

Twilio first, then the database, in one commit: the row leaves only once Twilio no longer bills for the
number. A 404 from Twilio means it is already gone (released by hand, or by an attempt whose answer was
lost): that is a success, with a note. A release whose answer is lost is reconciled by the client, which
fetches the number (404 = released) before sending the DELETE again; a transient failure is retried by RQ.
A number with an emergency address has it removed first (`emergency.unregister_first`).
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Retry

from webapp.extensions import db
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import run_activities, run_activity
from webapp.jobs.running.side_by_side import SideBySide, TwilioCall, in_flight_numbers
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.tasks.emergency import unregister_first
from webapp.jobs.tasks.orphans import release_orphan
from webapp.models import Activity, NumberEvent, NumberHistory, PhoneNumber
from webapp.twilio_client import NotFound, get_client

logger = logging.getLogger(__name__)

ALREADY_RELEASED = "Twilio no longer had this number (it was already released); its record was removed."


def release_number(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: release the Activity's number (see the module docstring)."""
    return run_activity(activity_id, release)


def release_batch(activity_ids: list[str]) -> dict[str, int] | Retry:
    """RQ job: release the numbers of several Activities (a batch from `enqueue_bulk_release`), their
    Twilio requests sent side by side (`side_by_side.py`)."""
    with SideBySide(lambda: planned_releases(activity_ids)) as releases:
        return run_activities(activity_ids, lambda activity: release(activity, releases))


def planned_releases(activity_ids: list[str]) -> dict[str, TwilioCall[None]]:
    """Return the release at Twilio of each in-flight Activity's number, by its SID; a number with an
    emergency address is left to its own turn, which removes the address first."""
    return {
        number.twilio_sid: release_call(number.twilio_sid)
        for number in in_flight_numbers(activity_ids)
        if number.emergency_address_sid is None
    }


def release_call(number_sid: str) -> TwilioCall[None]:
    """Return the Twilio call that releases the number."""
    return lambda client: client.release_number(number_sid)


def release(activity: Activity, releases: SideBySide[None] | None = None) -> dict[str, Any]:
    """Release the number at Twilio (its answer taken from the batch's `releases` when given), remove it
    and record its history; return the Activity's result. An orphan's release (no row, `result.orphan`)
    goes to `orphans.release_orphan`."""
    number = activity.phone_number
    if number is None and "orphan" in (activity.result or {}):
        return release_orphan(activity)
    if number is None:
        raise JobFailed("The number is no longer recorded; there is nothing to release.")
    unregister_first(activity, number, "released")
    report_progress(activity, 0, 2, step=f"Releasing {number.e164} at Twilio")
    note = None
    try:
        if releases is not None and releases.planned(number.twilio_sid):
            releases.take(number.twilio_sid)
        else:
            release_call(number.twilio_sid)(get_client())
    except NotFound:
        note = ALREADY_RELEASED
    report_progress(activity, 1, step=f"Removing {number.e164}")
    forget(number, activity, note)
    logger.info("Activity %s: released %s (%s)", activity.id, number.e164, number.twilio_sid)
    return {"step": "Done", **({"note": note} if note else {})}


def forget(number: PhoneNumber, activity: Activity, note: str | None) -> None:
    """Replace the number's row by a history row (uncommitted: the Activity's success commits both).

    The history row is flushed first: the database deletes a number's row only once its release is
    recorded (models/release_guard.py)."""
    reason = (activity.result or {}).get("reason")
    db.session.add(NumberHistory.of(number, NumberEvent.RELEASED, activity, reason=reason, note=note))
    db.session.flush()
    db.session.delete(number)
