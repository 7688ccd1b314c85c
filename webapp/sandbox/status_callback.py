"""Status callbacks, as Twilio sends them: when a call to an owned number ends, the number's
`StatusCallback` gets the call's final status, signed with the auth token (`X-Twilio-Signature`:
HMAC-SHA1 over the URL and the sorted parameters, base64, computed by twilio-python's `RequestValidator`).
The callback faults (`faults.py`) drop, repeat or delay it, as Twilio's own delivery may."""

from __future__ import annotations

import logging
import threading
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


def deliver(state: SandboxState, request: dict[str, Any], call_sid: str) -> int | None:
    """Send one signed callback and count it; return the answer's HTTP status (None: unreachable)."""
    try:
        response = requests.request(**request, timeout=CALLBACK_TIMEOUT)
    except requests.RequestException as error:
        state.traffic.count_callback(delivered=False)
        logger.info("Status callback of %s to %s failed: %s", call_sid, request["url"], type(error).__name__)
        return None
    state.traffic.count_callback(delivered=200 <= response.status_code < 300)
    logger.info("Status callback of %s to %s: %s", call_sid, request["url"], response.status_code)
    return response.status_code


def send_status_callback(state: SandboxState, number: OwnedNumber, call: dict[str, Any]) -> int | None:
    """Send the end of `call` to the number's status callback, if it has one, under the callback faults in
    force; return the (first) answer's HTTP status (None: none set, unreachable, dropped or delayed)."""
    settings = {**NUMBER_SETTING_DEFAULTS, **number.settings}
    url = settings["status_callback"]
    if not url:
        return None
    method = (settings["status_callback_method"] or "POST").upper()
    request = signed_request(state.auth_token, url, method, callback_params(state, call))
    fault = state.faults.draw_callback()
    if fault == "callback_drop":
        logger.info("Status callback of %s to %s: dropped (fault)", call["sid"], url)
        return None
    if fault == "callback_delay":
        wait = state.faults.plan.callback_wait
        late = threading.Timer(wait, deliver, args=(state, request, call["sid"]))
        late.daemon = True
        state.rings.append(late)
        late.start()
        return None
    answer = deliver(state, request, call["sid"])
    if fault == "callback_duplicate":
        deliver(state, request, call["sid"])
    return answer
