"""The replace job: buy a business a new number, then release its old one.

Buy first: if the purchase fails, the business keeps its old number and nothing else changes. The new
number carries the business's FriendlyName like any it owns, so a rerun after a crash adopts it (the one
named for the business that is not the old number) instead of buying again. Then the old number is
released (404: already gone), and only then does the row switch to the new number, with the old one's
history, in one commit: the database never points at a number Twilio has not sold us. An old number with
an emergency address has it removed before anything is bought (`emergency.unregister_first`).
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Retry

from webapp.extensions import db
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import run_activity
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.running.twilio_state import expected_for, friendly_name_for, new_number_row
from webapp.jobs.tasks.emergency import unregister_first
from webapp.jobs.tasks.provision import buy_chosen, webhook_set
from webapp.jobs.tasks.release import forget
from webapp.models import Activity, PhoneNumber
from webapp.twilio_client import (
    NotFound,
    NumberConfiguration,
    NumberUnavailable,
    TwilioClient,
    TwilioNumber,
    get_client,
)

logger = logging.getLogger(__name__)

STEPS = 3
"""Progress steps: buy (or adopt) the new number, release the old one, record."""


def replace_number(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: replace the Activity's number by a new one (see the module docstring)."""
    return run_activity(activity_id, replace)


def replace(activity: Activity) -> dict[str, Any]:
    """Buy the new number, release the old, record the switch; return the Activity's result."""
    old = activity.phone_number
    if old is None:
        raise JobFailed("The number to replace is no longer recorded; nothing was bought.")
    business = old.business
    unregister_first(activity, old, "replaced")  # before buying: if it fails, nothing was bought
    client = get_client()
    expected = expected_for(business)
    report_progress(activity, 0, STEPS, step="Buying the new number")
    new = bought_earlier(client, old) or buy_new(client, activity, old, expected)
    new, webhook_note = webhook_set(client, new, expected)
    activity.new_e164 = new.phone_number
    report_progress(activity, 1, step=f"Releasing {old.e164}", new_e164=new.phone_number)
    try:
        client.release_number(old.twilio_sid)
    except NotFound:
        logger.info("Activity %s: %s was already released", activity.id, old.twilio_sid)
    report_progress(activity, 2, step=f"Recording {new.phone_number}")
    forget(old, activity, f"Replaced by {new.phone_number}.")
    db.session.flush()
    db.session.add(new_number_row(business, new))
    logger.info("Activity %s: %s replaced %s for %s", activity.id, new.phone_number, old.e164, business.id)
    return {"step": "Done", "new_e164": new.phone_number, **({"note": webhook_note} if webhook_note else {})}


def bought_earlier(client: TwilioClient, old: PhoneNumber) -> TwilioNumber | None:
    """Return the new number an earlier attempt bought for the business, if any."""
    named = client.find_numbers(friendly_name=friendly_name_for(old.business))
    return next((number for number in named if number.sid != old.twilio_sid), None)


def buy_new(
    client: TwilioClient, activity: Activity, old: PhoneNumber, configuration: NumberConfiguration
) -> TwilioNumber:
    """Buy the number the Activity asks for: the chosen one, or one in its area code.

    Raises:
        JobFailed: nothing could be bought; the business keeps its old number.
    """
    wanted = activity.result or {}
    friendly_name = friendly_name_for(old.business)
    if wanted.get("requested_number"):
        return buy_chosen(client, wanted["requested_number"], friendly_name, configuration)
    area_code = wanted.get("requested_area_code")
    try:
        return client.provision_number(
            area_code, friendly_name=friendly_name, configuration=configuration, owned=(old.twilio_sid,)
        )
    except NumberUnavailable as error:
        raise JobFailed(
            f"No new number could be bought ({error.message}); {old.formatted} is kept."
        ) from error
