"""The sandbox reports calls as Twilio does, and the receiver, served over HTTP, records what it signs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from harness.sandbox import SandboxProcess
from harness.waits import wait_until
from harness.workers import sandbox_settings
from tests.factories import make_number
from webapp.extensions import db
from webapp.models import CallEvent, PhoneNumber
from webapp.twilio_client import get_client

CALLER = "+14155550199"


@pytest.fixture
def app(make_app, sandbox):
    """The app on this test's sandbox, without PUBLIC_BASE_URL: signatures are checked against the URL
    the sandbox called, the live server's."""
    return make_app(**sandbox_settings(sandbox))


@pytest.fixture
def buy(sandbox: SandboxProcess, make_rest_client, live_server: str):
    """Return `buy(voice_url=...)`: a number bought at the sandbox with the live receiver as its status
    callback, and recorded."""
    rest = make_rest_client(sandbox)

    def buy(voice_url: str = "http://127.0.0.1:9/voice") -> PhoneNumber:
        bought = rest.incoming_phone_numbers.create(
            area_code="415", voice_url=voice_url, status_callback=live_server + "/twilio/call-status"
        )
        return make_number(e164=bought.phone_number, twilio_sid=bought.sid)

    return buy


def events() -> list[CallEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(CallEvent).order_by(CallEvent.occurred_at)))


def test_an_outside_call_is_reported_signed_and_recorded(sandbox: SandboxProcess, buy):
    number = buy()

    placed = sandbox.place_call(number.e164, CALLER, "completed", 42)

    assert placed["callback_status"] == 204
    [event] = events()
    assert (event.call_sid, event.call_status, event.duration_seconds) == (
        placed["call"]["sid"],
        "completed",
        42,
    )
    assert (event.phone_number_id, event.from_number, event.direction) == (number.id, CALLER, "inbound")
    row = db.session.get(PhoneNumber, number.id)
    assert (row.last_call_status, row.last_call_duration) == ("completed", 42)


def test_each_ended_call_is_recorded_once_and_the_last_one_wins(sandbox: SandboxProcess, buy):
    number = buy()

    answers = [
        sandbox.place_call(number.e164, CALLER, status, 0)["callback_status"]
        for status in ("busy", "no-answer")
    ]

    assert answers == [204, 204]
    assert [event.call_status for event in events()] == ["busy", "no-answer"]
    assert db.session.get(PhoneNumber, number.id).last_call_status == "no-answer"


def test_a_test_call_reports_its_end_to_the_receiver(buy, voice_server):
    number, caller = buy(voice_url=voice_server.url), buy()

    call = get_client().make_call(number.e164, caller.e164, twiml="<Response><Hangup/></Response>")

    wait_until(lambda: events(), timeout=15, what="the inbound call's status callback")
    [event] = events()
    assert (event.to_number, event.from_number, event.call_status) == (number.e164, caller.e164, "completed")
    assert event.call_sid != call.sid  # the inbound leg, as Twilio reports it to the called number


def test_dropped_callbacks_are_not_sent_and_counted_nowhere(sandbox: SandboxProcess, buy):
    number = buy()
    sandbox.set_faults("callback_drop=1")

    assert sandbox.place_call(number.e164, CALLER)["callback_status"] is None

    assert events() == []
    assert (sandbox.stats()["callbacks_sent"], sandbox.stats()["callbacks_failed"]) == (0, 0)


def test_repeated_and_late_callbacks_leave_each_call_recorded_once(sandbox: SandboxProcess, buy):
    number = buy()
    sandbox.set_faults("callback_duplicate=0.4,callback_delay=0.4,callback_wait=0.5", seed=7)
    statuses = ["completed", "busy", "no-answer", "failed", "canceled"] * 4

    calls = [sandbox.place_call(number.e164, CALLER, status, 10)["call"] for status in statuses]

    wait_until(lambda: len(events()) == len(calls), timeout=15, what="every call's callback")
    recorded = events()
    assert sorted((e.call_sid, e.call_status) for e in recorded) == sorted(
        (c["sid"], c["status"]) for c in calls
    )
    wait_until(lambda: sandbox.stats()["callbacks_sent"] > len(calls), timeout=5, what="the repeats counted")
    assert sandbox.stats()["callbacks_failed"] == 0
    row = db.session.get(PhoneNumber, number.id)
    assert row.last_call_at == max(e.occurred_at for e in recorded)
