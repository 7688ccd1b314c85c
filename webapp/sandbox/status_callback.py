"""Status callbacks, as Twilio sends them: when a call to an owned number ends, the number's
`StatusCallback` gets the call's final status, signed with the auth token (`X-Twilio-Signature`:
HMAC-SHA1 over the URL and the sorted parameters, base64, computed by twilio-python's `RequestValidator`)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from webapp.sandbox.render import API_VERSION, NUMBER_SETTING_DEFAULTS, rfc2822
from webapp.sandbox.state import SandboxState
from webapp.sandbox.store import OwnedNumber, utc_now

logger = logging.getLogger(__name__)

CALLBACK_TIMEOUT = (2.0, 5.0)
"""(connect, read) seconds the sandbox waits for a status callback URL."""


def callback_params(state: SandboxState, call: dict[str, Any]) -> dict[str, str]:
    """Return the form Twilio posts for the end of `call` (an inbound call to an owned number)."""
    return {
        "AccountSid": state.account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call["sid"],
        "CallStatus": call["status"],
        "CallDuration": str(call.get("duration") or 0),
        "Direction": call["direction"],
        "From": call["from"],
        "To": call["to"],
        "Timestamp": call.get("end_time") or rfc2822(utc_now()),
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "0",
    }


def signed_request(auth_token: str, url: str, method: str, params: dict[str, str]) -> dict[str, Any]:
    """Return the request (`method`, `url`, `data`, `headers`) Twilio would make, signed as Twilio signs:
    a GET carries the parameters in its query, which the signature covers as part of the URL."""
    if method == "GET":
        url = url + ("&" if "?" in url else "?") + urlencode(params)
        params = {}
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return {"method": method, "url": url, "data": params, "headers": {"X-Twilio-Signature": signature}}


def send_status_callback(state: SandboxState, number: OwnedNumber, call: dict[str, Any]) -> int | None:
    """POST (or GET) the end of `call` to the number's status callback, if it has one; return the answer's
    HTTP status (None: none set, or the URL could not be reached)."""
    settings = {**NUMBER_SETTING_DEFAULTS, **number.settings}
    url = settings["status_callback"]
    if not url:
        return None
    method = (settings["status_callback_method"] or "POST").upper()
    request = signed_request(state.auth_token, url, method, callback_params(state, call))
    try:
        response = requests.request(**request, timeout=CALLBACK_TIMEOUT)
    except requests.RequestException as error:
        logger.info("Status callback of %s to %s failed: %s", call["sid"], url, error.__class__.__name__)
        return None
    logger.info("Status callback of %s to %s: %s", call["sid"], url, response.status_code)
    return response.status_code
