"""The sandbox's Monitor alerts and events validate against `twilio_monitor_v1.json`, and its Calls and
Messages lists and call events against `twilio_api_v2010.json`, with only Twilio's known deviations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from harness.testing_env import services_for_tests
from tests.fixtures.sandbox import SandboxProcess
from tests.fixtures.services import unavailable
from tests.sandbox.helpers import api_request
from tests.sandbox.test_monitor import call, inbound_call, monitor_get, owned
from tests.sandbox.test_schema import KNOWN_TWILIO_DEVIATIONS, Allowance, TwilioSpec, _load_spec

MONITOR_SPEC_URI = "urn:twilio:monitor_v1"


def _account_sid(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("AC") and len(value) == 34


@pytest.fixture(scope="module")
def monitor_spec() -> TwilioSpec:
    """Twilio's Monitor v1 spec, beside the 2010 API's."""
    path = Path(services_for_tests()["TWILIO_OPENAPI_SPEC"]).with_name("twilio_monitor_v1.json")
    if not path.is_file():
        unavailable(
            f"Twilio's Monitor spec is not at {path}: get twilio_monitor_v1.json from twilio/twilio-oai."
        )
    return TwilioSpec(json.loads(path.read_text(encoding="utf-8")), uri=MONITOR_SPEC_URI, prefix="")


@pytest.fixture(scope="module")
def api_spec() -> TwilioSpec:
    """Twilio's 2010 API spec."""
    return TwilioSpec(_load_spec())


@pytest.fixture
def api_changed_number(sandbox: SandboxProcess, closed_voice_url: str) -> dict[str, Any]:
    """A number whose voice URL changed through the API once, with its failed call and alert."""
    number = owned(sandbox, "https://example.com/voice")
    path = f"/IncomingPhoneNumbers/{number['sid']}.json"
    api_request(sandbox, "POST", path, data={"VoiceUrl": closed_voice_url}).raise_for_status()
    caller = owned(sandbox, "https://example.com/caller")
    call(sandbox, number["phone_number"], caller["phone_number"])
    inbound_call(sandbox, number)
    return number


def test_alert_answers_match_the_monitor_spec(
    monitor_spec: TwilioSpec, sandbox: SandboxProcess, api_changed_number: dict[str, Any]
):
    listed = monitor_spec.check(monitor_get(sandbox, "/v1/Alerts", PageSize=1), "GET", "/v1/Alerts", 200)
    [alert] = listed["alerts"]
    fetched = monitor_spec.check(
        monitor_get(sandbox, f"/v1/Alerts/{alert['sid']}"), "GET", "/v1/Alerts/{Sid}", 200
    )

    assert set(alert) == monitor_spec.fields("monitor.v1.alert")
    assert set(fetched) == monitor_spec.fields("monitor.v1.alert-instance")


def test_event_answers_match_the_monitor_spec(
    monitor_spec: TwilioSpec,
    sandbox: SandboxProcess,
    api_changed_number: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
):
    # The field's description says an API change names the account (AC...); its pattern allows US... only.
    allowance = Allowance("actor_sid", "pattern", _account_sid, "an API change's actor is the account")
    monkeypatch.setattr(
        "tests.sandbox.test_schema.KNOWN_TWILIO_DEVIATIONS", [*KNOWN_TWILIO_DEVIATIONS, allowance]
    )
    answer = monitor_get(sandbox, "/v1/Events", ResourceSid=api_changed_number["sid"])
    [event] = monitor_spec.check(answer, "GET", "/v1/Events", 200)["events"]
    fetched = monitor_spec.check(
        monitor_get(sandbox, f"/v1/Events/{event['sid']}"), "GET", "/v1/Events/{Sid}", 200
    )

    assert set(event) == set(fetched) == monitor_spec.fields("monitor.v1.event")


def test_call_and_message_lists_and_call_events_match_the_spec(
    api_spec: TwilioSpec, sandbox: SandboxProcess, api_changed_number: dict[str, Any]
):
    twilio_spec = api_spec
    to = {"To": api_changed_number["phone_number"], "PageSize": 1}
    calls = twilio_spec.check(
        api_request(sandbox, "GET", "/Calls.json", params=to), "GET", "/Calls.json", 200
    )
    auth = (sandbox.account_sid, sandbox.auth_token)
    following = requests.get(sandbox.base_url + calls["next_page_uri"], auth=auth, timeout=5)
    second = twilio_spec.check(following, "GET", "/Calls.json", 200)
    inbound = next(c for c in calls["calls"] + second["calls"] if c["direction"] == "inbound")
    events = api_request(sandbox, "GET", f"/Calls/{inbound['sid']}/Events.json")
    twilio_spec.check(events, "GET", "/Calls/{CallSid}/Events.json", 200)
    messages = api_request(sandbox, "GET", "/Messages.json", params={"To": "+14155550199"})
    twilio_spec.check(messages, "GET", "/Messages.json", 200)

    assert all(set(c) == twilio_spec.fields("api.v2010.account.call") for c in calls["calls"])
