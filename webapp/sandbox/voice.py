"""Calls to the sandbox's own numbers: like Twilio, it requests the number's voice URL over real HTTP.

A call created to a number the account owns starts an inbound call on that number and, in a background
thread, requests its voice URL with Twilio's parameters and a short timeout. A good (2xx) answer completes
both calls; a refused connection, an unknown host, a timeout, too many redirects or another answer fails
the inbound call and records an alert with Twilio's code for it. Every request is also kept as an event of
the inbound call (`Calls/{Sid}/Events.json`), with the answer's status and duration. When the inbound call
ends, the number's status callback hears of it (`status_callback.py`), as do calls from outside callers
(`record_outside_call`, for `POST /_sandbox/calls`).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import NameResolutionError

from webapp.sandbox.monitor import new_alert
from webapp.sandbox.render import NUMBER_SETTING_DEFAULTS, call, ended_inbound_call, rfc2822
from webapp.sandbox.state import SandboxState
from webapp.sandbox.status_callback import send_status_callback
from webapp.sandbox.store import OwnedNumber, new_sid, utc_now

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = (2.0, 5.0)
"""(connect, read) seconds the sandbox waits for a voice URL; Twilio waits up to 15 s."""

MAX_REDIRECTS = 10
RESPONSE_BODY_LIMIT = 2000
"""Characters of the answer kept in the call's events and the alert."""

PAUSE = re.compile(r"<Pause[^>]*\blength=\"(\d+)\"")


@dataclass(frozen=True)
class WebhookAnswer:
    """What came of one request to a voice URL: its status, duration, body, or why it failed."""

    status: int | None
    duration_ms: int
    body: str = ""
    content_type: str | None = None
    error_code: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the URL answered 2xx."""
        return self.error_code is None


def request_voice_url(url: str, method: str, params: dict[str, str]) -> WebhookAnswer:
    """Request the voice URL as Twilio does and classify the outcome with Twilio's error codes."""
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    try:
        if method == "GET":
            response = session.get(url, params=params, timeout=WEBHOOK_TIMEOUT)
        else:
            response = session.post(url, data=params, timeout=WEBHOOK_TIMEOUT)
    except requests.TooManyRedirects:
        return WebhookAnswer(None, took(), error_code="11215", reason="Too many redirects")
    except requests.Timeout:
        return WebhookAnswer(None, took(), error_code="11200", reason="Timeout")
    except requests.ConnectionError as error:
        if _caused_by(error, NameResolutionError):
            return WebhookAnswer(None, took(), error_code="11210", reason="Bad host name")
        return WebhookAnswer(None, took(), error_code="11200", reason="Connection refused")
    finally:
        session.close()
    body = response.text[:RESPONSE_BODY_LIMIT]
    kind = response.headers.get("Content-Type")
    if response.status_code == 429:
        return WebhookAnswer(429, took(), body, kind, "11217", "Got HTTP 429 response")
    if not 200 <= response.status_code < 300:
        reason = f"Got HTTP {response.status_code} response"
        return WebhookAnswer(response.status_code, took(), body, kind, "11200", reason)
    return WebhookAnswer(response.status_code, took(), body, kind)


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind) or isinstance(getattr(seen, "reason", None), kind):
            return True
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = nested or seen.__cause__ or seen.__context__
    return False


def ring_in_background(state: SandboxState, outbound: dict[str, Any], number: OwnedNumber) -> None:
    """Start the inbound call on `number` for the call `outbound` in a daemon thread."""
    thread = threading.Thread(
        target=ring, args=(state, outbound, number), name=f"ring-{outbound['sid']}", daemon=True
    )
    state.rings.append(thread)
    thread.start()


def ring(state: SandboxState, outbound: dict[str, Any], number: OwnedNumber) -> None:
    """Record the inbound call, request the number's voice URL, and end both calls by its answer."""
    store = state.store
    now = utc_now()
    inbound_sid = new_sid("CA")
    inbound = call(inbound_sid, state.account_sid, number.phone_number, outbound["from"], number.sid, now)
    inbound.update(direction="inbound", status="ringing", start_time=rfc2822(now))
    store.save_record("calls", inbound_sid, inbound)
    store.update_record("calls", outbound["sid"], {"status": "in-progress", "start_time": rfc2822(now)})
    settings = {**NUMBER_SETTING_DEFAULTS, **number.settings}
    url, method = settings["voice_url"], settings["voice_method"]
    params = {
        "AccountSid": state.account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": inbound_sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": outbound["from"],
        "To": number.phone_number,
    }
    answer = (
        request_voice_url(url, method, params)
        if url
        else WebhookAnswer(None, 0, error_code="11200", reason="No voice URL")
    )
    store.save_record(
        "call_events",
        inbound_sid,
        {
            "events": [
                {
                    "request": {"method": method, "url": url, "parameters": params},
                    "response": {
                        "response_code": answer.status,
                        "request_duration": answer.duration_ms,
                        "content_type": answer.content_type,
                        "response_body": answer.body,
                        "date_created": rfc2822(utc_now()),
                    },
                }
            ]
        },
    )
    if not answer.ok:
        alert = new_alert(
            state,
            error_code=answer.error_code or "11200",
            resource_sid=inbound_sid,
            request_url=url,
            request_method=method,
            reason=answer.reason or "",
            request_variables=params,
            response_status=answer.status,
            response_body=answer.body,
        )
        store.save_record("alerts", alert["sid"], alert)
        logger.info(
            "Call %s to %s: %s (%s)", inbound_sid, number.phone_number, answer.reason, answer.error_code
        )
    seconds = max(1, sum(int(n) for n in PAUSE.findall(answer.body))) if answer.ok else 0
    duration = max(seconds, math.ceil(answer.duration_ms / 1000))
    ended = {"end_time": rfc2822(utc_now()), "duration": str(duration), "date_updated": rfc2822(utc_now())}
    ended_call = store.update_record(
        "calls", inbound_sid, {**ended, "status": "completed" if answer.ok else "failed"}
    )
    store.update_record("calls", outbound["sid"], {**ended, "status": "completed"})
    if ended_call is not None:
        send_status_callback(state, number, ended_call)


def record_outside_call(
    state: SandboxState, number: OwnedNumber, caller: str, status: str, duration: int
) -> tuple[dict[str, Any], int | None]:
    """Record an inbound call to `number` from an outside `caller`, already ended with `status` after
    `duration` seconds, and send its status callback; return the call and the callback's answer."""
    now = utc_now()
    sid = new_sid("CA")
    inbound = ended_inbound_call(
        sid, state.account_sid, number.phone_number, caller, number.sid, now, now, status, duration
    )
    state.store.save_record("calls", sid, inbound)
    return inbound, send_status_callback(state, number, inbound)
