"""The test-call job: call a business's number from `TWILIO_TEST_CALLER` and say whether calls reach it.

It places the call with TwiML that hangs up after a few seconds, follows it (`get_call`) until it ends,
then reads the inbound call it became on the number, that call's webhook request and any alert it raised,
and ends with a verdict a support agent can act on: the Activity succeeds with "Your voice URL answered 200
in 180 ms", or fails with "Twilio could not reach https://.../voice: connection refused (11200)". The call's
SID is saved before following it, so a retried job follows the same call instead of placing another. The
number's Health panel is read again at the end, so it shows the call and any alert at once.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from rq import Retry

from webapp.jobs.enqueue.health import NO_TEST_CALLER
from webapp.jobs.reads.health_cache import note_unreadable, save_health
from webapp.jobs.reads.health_report import meaning
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import TRANSIENT, run_activity
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.tasks.number_health import read_health
from webapp.jobs.tasks.webhooks import target_number
from webapp.models import Activity, PhoneNumber
from webapp.models.base import utcnow
from webapp.twilio_client import Call, TwilioClient, get_client

logger = logging.getLogger(__name__)

HANG_UP_TWIML = '<Response><Pause length="3"/><Hangup/></Response>'
"""What the test caller's side of the call plays: a few seconds of silence, then it hangs up."""

FOLLOW_SECONDS = 90
"""How long the job follows the call before it gives up on it."""

POLL_SECONDS = 1.0
"""How often the job asks Twilio how the call is going."""

CLOCK_SLACK = timedelta(minutes=1)
"""How far before the call the job looks for its inbound leg and alerts (clocks differ)."""


def place_test_call(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: call the Activity's number from the test caller and record the verdict."""
    return run_activity(activity_id, call_and_judge)


def call_and_judge(activity: Activity) -> dict[str, Any]:
    """Place (or resume following) the test call, and return its verdict or fail with it."""
    caller = current_app.config["TWILIO_TEST_CALLER"]
    if not caller:
        raise JobFailed(NO_TEST_CALLER)
    row = target_number(activity)
    client = get_client()
    saved = activity.result or {}
    if "call_sid" not in saved:
        placed_at = utcnow()
        call = client.make_call(row.e164, caller, twiml=HANG_UP_TWIML)
        report_progress(activity, 0, call_sid=call.sid, placed_at=placed_at.isoformat(), caller=caller)
        saved = activity.result or {}
    ended = follow(client, saved["call_sid"])
    since = datetime.fromisoformat(saved["placed_at"]) - CLOCK_SLACK
    verdict, failed = judge(client, row, caller, ended, since)
    refresh_panel(client, row)
    logger.info("Activity %s: test call to %s: %s", activity.id, row.e164, verdict)
    if failed:
        raise JobFailed(verdict)
    return {"verdict": verdict, "status": ended.status}


def follow(client: TwilioClient, call_sid: str) -> Call:
    """Return the call once it has ended.

    Raises:
        JobFailed: it did not end within `FOLLOW_SECONDS`.
    """
    deadline = time.monotonic() + FOLLOW_SECONDS
    while True:
        call = client.get_call(call_sid)
        if call.ended:
            return call
        if time.monotonic() > deadline:
            raise JobFailed(f"The test call {call_sid} was still {call.status} after {FOLLOW_SECONDS} s.")
        time.sleep(POLL_SECONDS)


def judge(
    client: TwilioClient, row: PhoneNumber, caller: str, outbound: Call, since: datetime
) -> tuple[str, bool]:
    """Return the verdict on the call and whether it means calls do not reach the business."""
    if outbound.status != "completed":
        return f"The test call from {caller} ended {outbound.status}: it never reached {row.formatted}.", True
    inbound = next(
        (
            c
            for c in client.list_calls(to=row.e164, from_=caller, started_after=since)
            if c.direction == "inbound"
        ),
        None,
    )
    if inbound is None:
        return (
            f"The test call from {caller} completed, but Twilio shows no call arriving on {row.formatted}.",
            True,
        )
    alert = next((a for a in client.list_alerts(since=since) if a.resource_sid == inbound.sid), None)
    if alert is not None:
        reason = (alert.reason or meaning(alert.error_code)).lower()
        return f"Twilio could not reach {alert.request_url}: {reason} ({alert.error_code}).", True
    if inbound.status != "completed":
        return (
            f"The call arrived on {row.formatted} but ended {inbound.status}; Twilio raised no alert.",
            True,
        )
    answer = next(iter(client.list_call_events(inbound.sid)), None)
    if answer is None or answer.response_code is None:
        return f"The call arrived on {row.formatted} and completed ({inbound.duration or 0} s).", False
    return f"Your voice URL answered {answer.response_code} in {answer.duration_ms} ms.", False


def refresh_panel(client: TwilioClient, row: PhoneNumber) -> None:
    """Read the number's Health panel again; if Twilio cannot be read, keep the last one with a note."""
    try:
        save_health(row.id, read_health(client, row))
    except TRANSIENT as error:
        note_unreadable(row.id, f"Twilio could not be read: {error.message}", utcnow())
