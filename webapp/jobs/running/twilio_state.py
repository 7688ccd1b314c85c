"""What we record about a number from Twilio's answer: its row, and whether its webhook matches ours."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.models import Business, PhoneNumber, WebhookStatus
from webapp.models.base import utcnow
from webapp.twilio_client import WEBHOOK_METHOD, TwilioNumber

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


@dataclass(frozen=True)
class ExpectedWebhook:
    """The voice webhook every number should have at Twilio, from today's settings."""

    voice_url: str
    status_callback: str | None
    voice_method: str = WEBHOOK_METHOD
    status_callback_method: str = WEBHOOK_METHOD

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ExpectedWebhook:
        """Return the expected webhook from `TWILIO_VOICE_URL` and `TWILIO_STATUS_CALLBACK_URL` (which
        `webapp.config.status_callback_url` makes the receiver at `PUBLIC_BASE_URL` when unset)."""
        return cls(
            voice_url=config["TWILIO_VOICE_URL"], status_callback=config["TWILIO_STATUS_CALLBACK_URL"] or None
        )

    def differences(self, number: TwilioNumber) -> list[str]:
        """Return what differs at Twilio, a phrase each (`voice URL is X, expected Y`); empty when in sync."""
        fields = (
            ("voice URL", number.voice_url, self.voice_url),
            ("voice method", number.voice_method, self.voice_method),
            ("status callback", number.status_callback, self.status_callback),
            ("status callback method", number.status_callback_method, self.status_callback_method),
        )
        return [
            f"{label} is {actual or 'empty'}, expected {wanted or 'empty'}"
            for label, actual, wanted in fields
            if (actual or None) != (wanted or None)
        ]


def record_webhook_state(
    row: PhoneNumber, number: TwilioNumber, expected: ExpectedWebhook, *, synced: bool = False
) -> list[str]:
    """Copy the webhook in Twilio's answer onto `row`, mark it in sync or drifted; return the drift.

    `synced`: the answer is to our own update, so an in-sync number also gets `webhook_synced_at`.
    """
    drift = expected.differences(number)
    now = utcnow()
    row.voice_url = number.voice_url
    row.status_callback_url = number.status_callback
    row.webhook_status = WebhookStatus.DRIFTED if drift else WebhookStatus.IN_SYNC
    row.webhook_error = sentence("; ".join(drift)) if drift else None
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


def new_number_row(business_id: uuid.UUID, number: TwilioNumber, expected: ExpectedWebhook) -> PhoneNumber:
    """Return a (not yet added) row for a number the account owns at Twilio, with its webhook state."""
    row = PhoneNumber(
        business_id=business_id,
        e164=number.phone_number,
        twilio_sid=number.sid,
        country="US",
        capabilities=dict(number.capabilities),
    )
    record_webhook_state(row, number, expected, synced=True)
    return row
