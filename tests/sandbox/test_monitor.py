"""The sandbox's Monitor alerts and events, Calls and Messages lists, and the calls it really makes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import requests

from harness.waits import wait_until
from tests.fixtures.sandbox import SandboxProcess
from tests.fixtures.voice_server import VoiceServer
from tests.sandbox.helpers import add_alerts, api_request, buy

CALLER_PARAMS = {"Twiml": "<Response><Pause length='3'/><Hangup/></Response>"}


def monitor_get(box: SandboxProcess, path: str, **params: Any) -> requests.Response:
    """GET a Monitor v1 path (`/v1/Alerts`...) from the sandbox with its credentials."""
    return requests.get(box.base_url + path, params=params, auth=(box.account_sid, box.auth_token), timeout=5)


def owned(box: SandboxProcess, voice_url: str, **extra: str) -> dict[str, Any]:
    """Buy a number in 415 with this voice URL and return it."""
    answer = buy(box, AreaCode="415", VoiceUrl=voice_url, **extra)
    assert answer.status_code == 201, answer.text
    return answer.json()


def call(box: SandboxProcess, to: str, from_: str) -> dict[str, Any]:
    answer = api_request(box, "POST", "/Calls.json", data={"To": to, "From": from_, **CALLER_PARAMS})
    assert answer.status_code == 201, answer.text
    return answer.json()


def ended_call(box: SandboxProcess, sid: str) -> dict[str, Any]:
    """Wait until the call is over and return it."""
    seen: dict[str, Any] = {}

    def over() -> bool:
        seen.update(api_request(box, "GET", f"/Calls/{sid}.json").json())
        return seen["status"] in ("completed", "failed")

    wait_until(over, timeout=10, what=f"call {sid} to end")
    return seen


def inbound_call(box: SandboxProcess, number: dict[str, Any]) -> dict[str, Any]:
    """Return the one inbound call on the number (the sandbox starts it in the background), once over."""
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        listed = api_request(box, "GET", "/Calls.json", params={"To": number["phone_number"]}).json()["calls"]
        found[:] = [c for c in listed if c["direction"] == "inbound"]
        return bool(found)

    wait_until(arrived, timeout=10, what=f"a call to arrive on {number['phone_number']}")
    [inbound] = found
    return ended_call(box, inbound["sid"])


def test_a_call_to_a_refusing_voice_url_fails_and_raises_11200(
    sandbox: SandboxProcess, closed_voice_url: str
):
    url = closed_voice_url
    number = owned(sandbox, url)
    caller = owned(sandbox, "https://example.com/caller")

    outbound = call(sandbox, number["phone_number"], caller["phone_number"])

    assert ended_call(sandbox, outbound["sid"])["status"] == "completed"
    inbound = inbound_call(sandbox, number)
    assert inbound["status"] == "failed" and inbound["from"] == caller["phone_number"]
    [alert] = monitor_get(sandbox, "/v1/Alerts").json()["alerts"]
    assert (alert["error_code"], alert["resource_sid"], alert["request_url"]) == (
        "11200",
        inbound["sid"],
        url,
    )
    assert parse_qs(alert["alert_text"])["Msg"] == ["Connection refused"]
    detail = monitor_get(sandbox, f"/v1/Alerts/{alert['sid']}").json()
    assert parse_qs(detail["request_variables"])["CallSid"] == [inbound["sid"]]


def test_a_call_to_a_good_voice_url_posts_to_it_and_completes(
    sandbox: SandboxProcess, voice_server: VoiceServer
):
    number = owned(sandbox, voice_server.url)
    caller = owned(sandbox, "https://example.com/caller")

    call(sandbox, number["phone_number"], caller["phone_number"])

    inbound = inbound_call(sandbox, number)
    assert inbound["status"] == "completed" and int(inbound["duration"]) >= 2
    [posted] = voice_server.requests
    assert posted["CallSid"] == inbound["sid"] and posted["To"] == number["phone_number"]
    events = api_request(sandbox, "GET", f"/Calls/{inbound['sid']}/Events.json").json()["events"]
    assert [(e["request"]["url"], e["response"]["response_code"]) for e in events] == [
        (voice_server.url, 200)
    ]
    assert monitor_get(sandbox, "/v1/Alerts").json()["alerts"] == []


def test_a_voice_url_answering_500_raises_11200_with_the_status(
    sandbox: SandboxProcess, voice_server: VoiceServer
):
    voice_server.status = 500
    number = owned(sandbox, voice_server.url)
    caller = owned(sandbox, "https://example.com/caller")

    call(sandbox, number["phone_number"], caller["phone_number"])

    assert inbound_call(sandbox, number)["status"] == "failed"
    [alert] = monitor_get(sandbox, "/v1/Alerts").json()["alerts"]
    assert alert["error_code"] == "11200"
    assert parse_qs(alert["alert_text"])["httpResponse"] == ["500"]


def test_changes_record_events_with_their_actor(sandbox: SandboxProcess):
    number = owned(sandbox, "https://example.com/voice")
    path = f"/IncomingPhoneNumbers/{number['sid']}.json"
    api_request(sandbox, "POST", path, data={"VoiceUrl": "https://example.com/api-change"})
    user = "US" + "ab" * 16
    console = requests.post(
        f"{sandbox.base_url}/_sandbox/numbers/{number['sid']}",
        json={"changes": {"VoiceUrl": "https://example.com/console"}, "actor_sid": user, "actor_name": "Jo"},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    )
    assert console.status_code == 200, console.text
    api_request(sandbox, "POST", path, data={"VoiceUrl": "https://example.com/console"})  # no change

    events = monitor_get(sandbox, "/v1/Events", ResourceSid=number["sid"]).json()["events"]

    assert [(e["actor_type"], e["actor_sid"], e["source"]) for e in events] == [
        ("user", user, "web"),
        ("account", sandbox.account_sid, "api"),
    ]
    assert events[0]["event_data"]["resource_properties"] == {
        "voice_url": {"previous": "https://example.com/api-change", "updated": "https://example.com/console"}
    }
    assert "by Jo" in events[0]["description"]
    assert monitor_get(sandbox, "/v1/Events", ResourceSid="PN" + "0" * 32).json()["events"] == []


def test_alerts_are_paged_and_filtered_by_date(sandbox: SandboxProcess):
    old = [{"resource_sid": "PN" + "1" * 32, "date_generated": "2026-01-01T00:00:00Z"}]
    new = [{"resource_sid": "PN" + "2" * 32}] * 2100
    for batch in (old, new):
        add_alerts(sandbox, batch)

    seen: list[str] = []
    url: str | None = f"{sandbox.base_url}/v1/Alerts?PageSize=1000&StartDate=2026-02-01"
    pages = 0
    while url:
        page = requests.get(url, auth=(sandbox.account_sid, sandbox.auth_token), timeout=10).json()
        seen += [alert["sid"] for alert in page["alerts"]]
        url = page["meta"]["next_page_url"]
        pages += 1

    assert pages == 3 and len(set(seen)) == 2100
    assert len(monitor_get(sandbox, "/v1/Alerts", StartDate="2025-12-31").json()["alerts"]) == 50
    assert monitor_get(sandbox, "/v1/Alerts", StartDate="not a date").status_code == 400


def test_calls_and_messages_are_listed_by_to_from_and_status(sandbox: SandboxProcess):
    first = owned(sandbox, "https://example.com/voice", SmsUrl="https://example.com/sms")
    second = owned(sandbox, "https://example.com/voice")
    call(sandbox, "+14155550199", first["phone_number"])
    call(sandbox, "+14155550198", second["phone_number"])
    api_request(
        sandbox,
        "POST",
        "/Messages.json",
        data={"To": "+14155550199", "From": first["phone_number"], "Body": "Hi"},
    )

    def listed(path: str, key: str, **params: str) -> list[str]:
        return [r["to"] for r in api_request(sandbox, "GET", path, params=params).json()[key]]

    assert listed("/Calls.json", "calls", From=first["phone_number"]) == ["+14155550199"]
    assert listed("/Calls.json", "calls", To="+14155550198", Status="queued") == ["+14155550198"]
    assert listed("/Calls.json", "calls", Status="completed") == []
    assert listed("/Calls.json", "calls", **{"StartTime>": "2020-01-01"}) == ["+14155550198", "+14155550199"]
    assert listed("/Calls.json", "calls", **{"StartTime<": "2020-01-01"}) == []
    assert listed("/Messages.json", "messages", To="+14155550199") == ["+14155550199"]
    assert listed("/Messages.json", "messages", To="+14155550198") == []
