"""The provision job: buy a number for a business, point its webhook at us and record it.

Never buys twice: every number is bought with the FriendlyName `switchboard:<business uuid>`, and each
attempt first looks for a number with that name at Twilio and adopts it (an earlier attempt that died after
buying, or whose answer was lost). The unique `phone_numbers.business_id` guards the database side.

Never leaves a bought number unrecorded because of its webhook: the purchase itself sets the voice webhook,
so a new number is recorded as Twilio answered. Only an adopted number whose webhook differs from ours gets
an update, and when that fails the number is still recorded (marked drifted, with the reason) and the
Activity succeeds with a note saying to re-sync it. Failing the job instead would leave a number Twilio
bills for and the database does not know once the retries are used up.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from rq import Retry
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.jobs.errors import JobFailed
from webapp.jobs.runner import run_activity
from webapp.jobs.tracking import error_sentence, report_progress
from webapp.jobs.twilio_state import ExpectedWebhook, new_number_row
from webapp.models import Activity, Business
from webapp.models.persistence import validation_error_for
from webapp.twilio_client import ApiError, NumberUnavailable, TwilioClient, TwilioNumber, get_client

logger = logging.getLogger(__name__)

FRIENDLY_NAME_PREFIX = "switchboard:"
"""Every number Switchboard buys is named `switchboard:<business uuid>` at Twilio."""

STEP_NAMES = ("Searching", "Buying", "Setting the webhook", "Recording")
"""Progress steps as the console names them: look for an earlier purchase, buy, check (and if needed set)
the webhook, record. The Activity's `progress_done` is the index of the step under way."""

STEPS = len(STEP_NAMES)

CHOSEN_NUMBER_GONE = "That number is no longer available — search again."
"""Why a provision of a number chosen from a search failed when Twilio would not sell it."""

INVALID_PHONE_NUMBER = 21421
"""Twilio's error for a number it does not recognise (its magic test number +15005550001 answers it)."""


def friendly_name_for(business: Business) -> str:
    """Return the FriendlyName the business's number carries at Twilio."""
    return f"{FRIENDLY_NAME_PREFIX}{business.id}"


def provision_business_number(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: provision a number for the Activity's business (see the module docstring)."""
    return run_activity(activity_id, provision)


def eligible_business(activity: Activity) -> Business:
    """Return the Activity's business if a number may be bought for it.

    Raises:
        JobFailed: the business is gone, or may not get a number (`Business.why_no_number`).
    """
    business = activity.business
    if business is None:
        raise JobFailed("The business was deleted; there is nothing to provision.")
    if (refusal := business.why_no_number()) is not None:
        raise JobFailed(refusal)
    return business


def provision(activity: Activity) -> dict[str, Any]:
    """Buy (or adopt), configure and record the business's number; return the Activity's result."""
    business = eligible_business(activity)
    client = get_client()
    expected = ExpectedWebhook.from_config(current_app.config)
    report_progress(activity, 0, STEPS, step="Looking for a number bought for this business earlier")
    number, note = find_or_buy(client, activity, business, expected.voice_url)
    report_progress(activity, 2, step=f"Checking the voice webhook of {number.phone_number}")
    number, webhook_note = webhook_set(client, number, expected)
    report_progress(activity, 3, step=f"Recording {number.phone_number}")
    row = new_number_row(business.id, number, expected)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise JobFailed(
            f"Bought {number.phone_number} ({number.sid}) at Twilio but could not record it: "
            f"{validation_error_for(error).message} Once that is fixed, run "
            "'flask --app wsgi numbers orphans --adopt' to attach it."
        ) from error
    activity.phone_number = row  # the Activity names the number it bought: its pages link to it
    logger.info(
        "Activity %s: business %s got %s (%s)", activity.id, business.id, number.phone_number, number.sid
    )
    notes = " ".join(filter(None, (note, webhook_note)))
    return {
        "step": "Done",
        "e164": row.e164,
        "twilio_sid": row.twilio_sid,
        "area_code": row.area_code,
        **({"note": notes} if notes else {}),
    }


def webhook_set(
    client: TwilioClient, number: TwilioNumber, expected: ExpectedWebhook
) -> tuple[TwilioNumber, str | None]:
    """Return the number with our voice webhook, updating it at Twilio only if it differs, and a note
    (or None) saying why the webhook could not be set. Never raises for Twilio: see the module docstring."""
    if not expected.differences(number):
        return number, None
    try:
        return client.update_number_webhook(number.sid, expected.voice_url), None
    except ApiError as error:
        logger.warning("Could not set the voice webhook of %s: %s", number.sid, error_sentence(error))
        return number, (
            f"Its voice webhook could not be set ({error_sentence(error)}): use Re-sync webhook to set it."
        )


def buy_chosen(
    client: TwilioClient, activity: Activity, phone_number: str, friendly_name: str, voice_url: str
) -> TwilioNumber:
    """Buy exactly the number chosen from a search.

    Raises:
        JobFailed: Twilio no longer sells it (21422) or calls it invalid (21421); nothing was bought.
    """
    report_progress(activity, 1, step=f"Buying {phone_number}")
    try:
        return client.purchase_number(phone_number, friendly_name, voice_url)
    except ApiError as error:
        if isinstance(error, NumberUnavailable) or error.code == INVALID_PHONE_NUMBER:
            raise JobFailed(CHOSEN_NUMBER_GONE) from error
        raise


def find_or_buy(
    client: TwilioClient, activity: Activity, business: Business, voice_url: str
) -> tuple[TwilioNumber, str | None]:
    """Return the business's number at Twilio, adopted or newly bought, and a note for the result (or None).

    Buys in the requested (else preferred) area code; when that has none, any US local voice number.

    Raises:
        JobFailed: no number could be bought anywhere.
    """
    friendly_name = friendly_name_for(business)
    earlier = client.find_numbers(friendly_name=friendly_name)
    if earlier:
        if len(earlier) > 1:
            logger.warning(
                "Business %s has %d numbers named %s at Twilio; adopting %s, see 'numbers orphans'",
                business.id,
                len(earlier),
                friendly_name,
                earlier[0].sid,
            )
        return earlier[
            0
        ], f"Adopted {earlier[0].phone_number}, bought for this business by an earlier attempt."
    chosen = (activity.result or {}).get("requested_number")
    if chosen:
        return buy_chosen(client, activity, chosen, friendly_name, voice_url), None
    wanted = (activity.result or {}).get("requested_area_code") or business.preferred_area_code
    report_progress(
        activity, 1, step=f"Buying a number in area code {wanted}" if wanted else "Buying a number"
    )
    try:
        return client.provision_number(wanted, friendly_name=friendly_name, voice_url=voice_url), None
    except NumberUnavailable as error:
        if wanted is None:
            raise JobFailed(f"No number could be bought: {error.message}") from error
    report_progress(activity, 1, step=f"No numbers in area code {wanted}; buying any US local number")
    try:
        number = client.provision_number(None, friendly_name=friendly_name, voice_url=voice_url)
    except NumberUnavailable as error:
        raise JobFailed(
            f"No number could be bought: none in area code {wanted}, and {error.message}"
        ) from error
    return number, (
        f"Area code {wanted} had no numbers available, so {number.phone_number} "
        f"(area code {number.phone_number[2:5]}) was bought instead."
    )
