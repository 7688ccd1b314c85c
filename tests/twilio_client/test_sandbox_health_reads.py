"""The client's health reads (Monitor alerts and events, calls, messages, call events) against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from harness.waits import wait_until
from tests.fixtures.sandbox import SandboxProcess
from tests.fixtures.voice_server import VoiceServer
from tests.twilio_client.helpers import VOICE_URL
from webapp.twilio_client import TwilioClient, TwilioNumber, TwilioUnavailable
from webapp.twilio_client.configuration import NumberConfiguration

HANG_UP = "<Response><Pause length='2'/><Hangup/></Response>"


@pytest.fixture
def client(make_client, sandbox: SandboxProcess) -> TwilioClient:
    return make_client(sandbox.base_url, max_attempts=1)


def buy(client: TwilioClient, phone_number: str, voice_url: str = VOICE_URL) -> TwilioNumber:
    return client.purchase_number(phone_number, "Health Co", NumberConfiguration(voice_url))


def ended(client: TwilioClient, sid: str) -> None:
    wait_until(lambda: client.get_call(sid).ended, timeout=10, what=f"call {sid} to end")


def test_a_failed_call_is_read_back_as_an_alert_and_an_inbound_call(
    client: TwilioClient, closed_voice_url: str
):
    before = datetime.now(UTC) - timedelta(seconds=2)
    url = closed_voice_url
    number, caller = buy(client, "+14155550101", url), buy(client, "+14155550102")

    outbound = client.make_call(number.phone_number, caller.phone_number, twiml=HANG_UP)
    ended(client, outbound.sid)

    [inbound] = [c for c in client.list_calls(to=number.phone_number) if c.direction == "inbound"]
    assert (inbound.status, inbound.from_) == ("failed", caller.phone_number)
    [alert] = client.list_alerts(since=before)
    assert (alert.error_code, alert.resource_sid, alert.request_url) == ("11200", inbound.sid, url)
    assert alert.reason == "Connection refused"
    assert client.fetch_alert(alert.sid).request_variables
    assert client.list_alerts(since=datetime.now(UTC) + timedelta(hours=1)) == []


def test_a_good_answer_is_read_back_as_a_call_event(client: TwilioClient, voice_server: VoiceServer):
    number, caller = buy(client, "+14155550103", voice_server.url), buy(client, "+14155550104")
    start = datetime.now(UTC) - timedelta(seconds=2)

    ended(client, client.make_call(number.phone_number, caller.phone_number, twiml=HANG_UP).sid)

    [inbound] = client.list_calls(to=number.phone_number, from_=caller.phone_number, started_after=start)[:1]
    assert inbound.status == "completed" and inbound.duration >= 2
    [event] = client.list_call_events(inbound.sid)
    assert (event.url, event.response_code) == (voice_server.url, 200) and event.duration_ms is not None


def test_console_changes_are_read_back_with_their_actor(client: TwilioClient, sandbox: SandboxProcess):
    number = buy(client, "+14155550105")
    requests.post(
        f"{sandbox.base_url}/_sandbox/numbers/{number.sid}",
        json={"changes": {"VoiceUrl": "https://example.com/other"}, "actor_sid": "US" + "c" * 32},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    ).raise_for_status()

    [event] = client.list_events(number.sid)

    assert (event.actor_type, event.source, event.actor_sid) == ("user", "web", "US" + "c" * 32)
    assert event.changes == {"voice_url": (VOICE_URL, "https://example.com/other")}


def test_messages_to_a_number_are_listed(client: TwilioClient, sandbox: SandboxProcess, make_rest_client):
    number = buy(client, "+14155550106")
    make_rest_client(sandbox).messages.create(to="+14155550199", from_=number.phone_number, body="Hello")

    assert [m.to for m in client.list_messages("+14155550199")] == ["+14155550199"]
    assert client.list_messages("+14155550198") == []


def test_a_failing_alert_list_raises_our_error_not_the_librarys(
    client: TwilioClient, sandbox: SandboxProcess
):
    sandbox.set_faults("500=1.0,path=/v1/Alerts")

    with pytest.raises(TwilioUnavailable) as raised:
        client.list_alerts()

    assert raised.value.status == 500
