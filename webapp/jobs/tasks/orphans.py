"""Jobs for orphans (numbers named `switchboard:<business id>` at Twilio that no row records), started from
the console: adopt one as its business's number, or release it at Twilio.

Both read the number from Twilio again first: the check that found it may be hours old. The release runs as
a `release` Activity without a number row (`release.py` hands it here) and writes the number's history
like any release, so it appears in Released numbers and its business's page.
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Retry

from webapp.extensions import db
from webapp.jobs.reads.orphans import business_named_by
from webapp.jobs.running.adoption import ForeignConfiguration, configure_adopted
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import run_activity
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.running.twilio_state import FRIENDLY_NAME_PREFIX, new_number_row
from webapp.models import Activity, NumberEvent, NumberHistory, PhoneNumber
from webapp.models.phone_format import format_national
from webapp.twilio_client import NotFound, TwilioNumber, get_client

logger = logging.getLogger(__name__)

ORPHAN_NOTE = "Bought at Twilio but never recorded here (an orphan)."


def adopt_orphan(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: record the Activity's orphan (`result.orphan`) as the number of the business it names."""
    return run_activity(activity_id, adopt)


def orphan_at_twilio(activity: Activity) -> TwilioNumber:
    """Return the Activity's orphan as Twilio has it now.

    Raises:
        JobFailed: a row records it meanwhile, or Twilio no longer has it under our name.
    """
    orphan = (activity.result or {})["orphan"]
    formatted = format_national(orphan["e164"])
    recorded = db.session.scalars(db.select(PhoneNumber).filter_by(twilio_sid=orphan["sid"])).first()
    if recorded is not None:
        raise JobFailed(
            f"{formatted} is now recorded as {recorded.business.name}'s number; nothing was done."
        )
    try:
        number = get_client().fetch_number(orphan["sid"])
    except NotFound:
        raise JobFailed(f"Twilio no longer has {formatted}: it was released already.") from None
    if not number.friendly_name.startswith(FRIENDLY_NAME_PREFIX):
        raise JobFailed(
            f"{formatted} is no longer named for Switchboard at Twilio ({number.friendly_name!r}); "
            "nothing was done."
        )
    return number


def adopt(activity: Activity) -> dict[str, Any]:
    """Set the business's configuration on the orphan and attach it to the business its FriendlyName
    names; return the Activity's result. An orphan whose calls go to someone else is taken only when the
    Activity says `force` (the orphans page's confirmation)."""
    number = orphan_at_twilio(activity)
    business = business_named_by(number)
    formatted = format_national(number.phone_number)
    if business is None:
        raise JobFailed(f"No business has the id {number.friendly_name}: release {formatted} instead.")
    if business.phone_number is not None:
        raise JobFailed(
            f"{business.name} already has {business.phone_number.formatted}: release {formatted} instead."
        )
    report_progress(activity, 0, 1, step=f"Setting up {formatted} for {business.name}")
    try:
        number = configure_adopted(
            get_client(), number, business, force=bool((activity.result or {}).get("force"))
        )
    except ForeignConfiguration as error:
        raise JobFailed(f"{error} Nothing was done: confirm on the orphans page to take it.") from error
    row = new_number_row(business, number)
    db.session.add(row)
    activity.business_id, activity.phone_number = business.id, row
    logger.info("Activity %s: adopted %s (%s) for %s", activity.id, row.e164, row.twilio_sid, business.id)
    return {"step": "Done", "e164": row.e164, "webhook_status": row.webhook_status.value}


def release_orphan(activity: Activity) -> dict[str, Any]:
    """Release the orphan at Twilio and record it in the number history; return the Activity's result."""
    number = orphan_at_twilio(activity)
    report_progress(activity, 0, 1, step=f"Releasing {number.phone_number} at Twilio")
    note = ORPHAN_NOTE
    try:
        get_client().release_number(number.sid)
    except NotFound:
        note = f"{ORPHAN_NOTE} Twilio no longer had it."
    business = activity.business
    db.session.add(
        NumberHistory(
            event=NumberEvent.RELEASED,
            e164=number.phone_number,
            twilio_sid=number.sid,
            business_id=activity.business_id,
            business_name=business.name if business is not None else number.friendly_name,
            by_id=activity.requested_by_id,
            reason=(activity.result or {}).get("reason"),
            note=note,
            activity_id=activity.id,
        )
    )
    logger.info("Activity %s: released the orphan %s (%s)", activity.id, number.phone_number, number.sid)
    return {"step": "Done", "note": note}
