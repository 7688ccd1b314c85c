"""The health-check job against the sandbox: failed webhook requests, traffic, who changed the number,
and an outage that keeps the last read."""

from __future__ import annotations

import requests

from harness.waits import wait_for_activity, wait_until
from tests.factories import make_business
from tests.fixtures.sandbox import SandboxProcess
from tests.jobs.helpers import VOICE_URL, buy_at_sandbox, record
from webapp.extensions import db
from webapp.jobs.enqueue.health import enqueue_health_check
from webapp.jobs.reads.health_cache import load_health
from webapp.models import Activity, ActivityStatus, PhoneNumber
from webapp.twilio_client import get_client

CONSOLE_USER = "US" + "d" * 32
HANG_UP = "<Response><Hangup/></Response>"


def number_with_a_failed_call() -> tuple[PhoneNumber, str]:
    """A recorded number whose voice URL (the settings' localhost:3000) refuses, called once; returns it and
    the SID of the call that failed."""
    business, caller_business = make_business(), make_business()
    number = record(business, buy_at_sandbox(business))
    caller = buy_at_sandbox(caller_business)
    client = get_client()
    outbound = client.make_call(number.e164, caller.phone_number, twiml=HANG_UP)
    wait_until(lambda: client.get_call(outbound.sid).ended, timeout=15, what="the call to end")
    [inbound] = [c for c in client.list_calls(to=number.e164) if c.direction == "inbound"]
    return number, inbound.sid


def change_in_console(sandbox: SandboxProcess, sid: str, voice_url: str) -> None:
    requests.post(
        f"{sandbox.base_url}/_sandbox/numbers/{sid}",
        json={"changes": {"VoiceUrl": voice_url}, "actor_sid": CONSOLE_USER, "actor_name": "Jo"},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    ).raise_for_status()


def test_the_health_read_finds_the_failed_request_the_call_and_the_change(app, sandbox, start_worker):
    number, failed_call = number_with_a_failed_call()
    change_in_console(sandbox, number.twilio_sid, "https://elsewhere.example.com/voice")
    start_worker()

    activity = wait_for_activity(enqueue_health_check(number, None).id)

    assert activity.status == ActivityStatus.SUCCEEDED, activity.error
    snapshot = load_health(number.id)
    [failure] = snapshot["failed_requests"]
    assert (failure["code"], failure["resource_sid"], failure["url"]) == ("11200", failed_call, VOICE_URL)
    assert failure["reason"] == "Connection refused"
    assert [(c["sid"], c["status"]) for c in snapshot["calls"] if c["direction"] == "inbound"] == [
        (failed_call, "failed")
    ]
    assert snapshot["configuration"]["drifted_fields"] == ["voice_url"]
    [change] = snapshot["changes"]
    assert (change["actor_sid"], change["source"]) == (CONSOLE_USER, "web")
    assert change["fields"] == {"voice_url": [VOICE_URL, "https://elsewhere.example.com/voice"]}


def test_twilio_down_keeps_the_last_read_and_says_when_it_was(app, sandbox, start_worker):
    business = make_business()
    number = record(business, buy_at_sandbox(business))
    start_worker()
    assert wait_for_activity(enqueue_health_check(number, None).id).status == ActivityStatus.SUCCEEDED
    first = load_health(number.id)
    sandbox.set_faults("500=1.0")

    failing = enqueue_health_check(number, None)

    def noted() -> bool:
        snapshot = load_health(number.id) or {}
        return "unreadable" in snapshot

    wait_until(noted, timeout=30, what="the failed read to be noted")
    later = load_health(number.id)
    assert later["read_at"] == first["read_at"] and later["configuration"] == first["configuration"]
    assert "Twilio could not be read" in later["unreadable"]["message"]
    db.session.rollback()
    assert db.session.get(Activity, failing.id).attempts >= 1
    sandbox.set_faults("")
