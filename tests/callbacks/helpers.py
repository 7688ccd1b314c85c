"""Status callbacks as Twilio sends them, signed by twilio-python's own `RequestValidator`."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from webapp.config import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

PUBLIC_BASE_URL = "https://switchboard.example.com"
CALL_STATUS_URL = PUBLIC_BASE_URL + "/twilio/call-status"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_sequence = itertools.count(1)


def new_call_sid() -> str:
    """A fresh call SID."""
    return f"CA{next(_sequence):032x}"


def callback(
    to: str, call_sid: str, status: str = "completed", duration: int | None = 42, minute: int = 0
) -> dict[str, str]:
    """The form of a status callback for `call_sid` to `to`, `minute` minutes after `START`."""
    form = {
        "AccountSid": SANDBOX_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "Direction": "inbound",
        "From": "+14155550199",
        "To": to,
        "Timestamp": format_datetime(START + timedelta(minutes=minute)),
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "0",
    }
    if duration is not None:
        form["CallDuration"] = str(duration)
    return form


def post_signed(
    client: FlaskClient,
    form: dict[str, str],
    signed_url: str = CALL_STATUS_URL,
    token: str = SANDBOX_AUTH_TOKEN,
    **kwargs,
) -> TestResponse:
    """POST `form` to the receiver with the signature Twilio would make for `signed_url` with `token`."""
    signature = RequestValidator(token).compute_signature(signed_url, form)
    headers = {"X-Twilio-Signature": signature, **kwargs.pop("headers", {})}
    return client.post("/twilio/call-status", data=form, headers=headers, **kwargs)
