"""What we record about a number from Twilio's answer: its row, and whether its configuration matches ours."""

from __future__ import annotations

import uuid

from flask import current_app

from webapp.models import Business, PhoneNumber, WebhookStatus
from webapp.models.base import utcnow
from webapp.twilio_client import Difference, NumberConfiguration, TwilioNumber, managed_values

GONE_MESSAGE = "The number is no longer on the Twilio account."
"""What a number's `webhook_error` says when Twilio answers 404 for it."""

FRIENDLY_NAME_PREFIX = "switchboard:"
"""Every number Switchboard buys is named `switchboard:<business uuid>` at Twilio."""


def friendly_name_for(business: Business) -> str:
    """Return the FriendlyName the business's number carries at Twilio."""
    return f"{FRIENDLY_NAME_PREFIX}{business.id}"


def business_id_named(friendly_name: str) -> uuid.UUID | None:
    """Return the business id a `switchboard:<id>` FriendlyName carries, or None when it carries none."""
    if not friendly_name.startswith(FRIENDLY_NAME_PREFIX):
        return None
    try:
        return uuid.UUID(friendly_name.removeprefix(FRIENDLY_NAME_PREFIX))
    except ValueError:
        return None


def expected_configuration(business_id: uuid.UUID, business_voice_url: str | None) -> NumberConfiguration:
    """Return what the business's number should have at Twilio, from today's settings."""
    return NumberConfiguration.from_config(current_app.config, business_id, business_voice_url)


def expected_for(business: Business) -> NumberConfiguration:
    """Return what the business's number should have at Twilio."""
    return expected_configuration(business.id, business.voice_url)


def drift_sentence(drift: list[Difference]) -> str | None:
    """Return the drift as the numbers list shows it ("Voice fallback URL is X, expected Y."), or None."""
    return sentence("; ".join(difference.phrase() for difference in drift)) if drift else None


def record_webhook_state(
    row: PhoneNumber, number: TwilioNumber, expected: NumberConfiguration, *, synced: bool = False
) -> list[Difference]:
    """Copy the managed fields in Twilio's answer onto `row`, mark it in sync or drifted; return the drift.

    `synced`: the answer is to our own update, so an in-sync number also gets `webhook_synced_at`.
    """
    drift = expected.differences(number)
    now = utcnow()
    row.voice_url = number.voice_url
    row.status_callback_url = number.status_callback
    row.twilio_configuration = managed_values(number)
    row.webhook_status = WebhookStatus.DRIFTED if drift else WebhookStatus.IN_SYNC
    row.webhook_error = drift_sentence(drift)
    row.webhook_checked_at = now
    if synced and not drift:
        row.webhook_synced_at = now
    return drift


def sentence(text: str) -> str:
    """Return `text` with a capital first letter and a full stop (leaving URLs in it as they are)."""
    return text[:1].upper() + text[1:] + "."


def record_gone(row: PhoneNumber) -> None:
    """Mark `row` as no longer on the Twilio account (Twilio answered 404 for its SID)."""
    row.webhook_status = WebhookStatus.ERROR
    row.webhook_error = GONE_MESSAGE
    row.webhook_checked_at = utcnow()


def new_number_row(business: Business, number: TwilioNumber) -> PhoneNumber:
    """Return a (not yet added) row for a number the account owns at Twilio, with its webhook state."""
    row = PhoneNumber(
        business_id=business.id,
        e164=number.phone_number,
        twilio_sid=number.sid,
        country="US",
        capabilities=dict(number.capabilities),
    )
    record_webhook_state(row, number, expected_for(business), synced=True)
    return row
