"""The sandbox's status callbacks, signed as Twilio signs; `POST /_sandbox/calls` checks what it is given."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from twilio.request_validator import RequestValidator

from harness.sandbox import SandboxProcess
from webapp.sandbox.status_callback import signed_request

TOKEN = "sandbox-auth-token"
URL = "https://switchboard.example.com/twilio/call-status"
FORM = {"CallSid": "CA" + "1" * 32, "CallStatus": "completed", "To": "+14155550100"}


def test_a_posted_callback_carries_the_signature_twilio_python_validates():
    request = signed_request(TOKEN, URL, "POST", FORM)
    assert (request["url"], request["data"]) == (URL, FORM)
    assert RequestValidator(TOKEN).validate(URL, FORM, request["headers"]["X-Twilio-Signature"])
    assert not RequestValidator("another-token").validate(URL, FORM, request["headers"]["X-Twilio-Signature"])


def test_a_get_callback_signs_its_query_as_part_of_the_url():
    request = signed_request(TOKEN, URL, "GET", FORM)
    assert request["data"] == {} and dict(parse_qsl(urlsplit(request["url"]).query)) == FORM
    assert RequestValidator(TOKEN).validate(request["url"], {}, request["headers"]["X-Twilio-Signature"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"to": "+12125550100", "from": "+14155550199"}, "to must be a number this account owns"),
        ({"to": "OWNED", "from": ""}, "from must be the caller's number"),
        ({"to": "OWNED", "from": "+14155550199", "status": "ringing"}, "status must be one of"),
        ({"to": "OWNED", "from": "+14155550199", "duration": -1}, "duration must be a whole number"),
        ({"to": "OWNED", "from": "+14155550199", "colour": "red"}, "Unknown keys"),
    ],
)
def test_placing_an_outside_call_refuses_what_it_cannot_place(
    sandbox: SandboxProcess, rest_client, body, message
):
    owned = rest_client.incoming_phone_numbers.create(area_code="415", voice_url="http://127.0.0.1:9/voice")
    body = {key: owned.phone_number if value == "OWNED" else value for key, value in body.items()}
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/calls",
        json=body,
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    )
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_an_outside_call_to_a_number_without_status_callback_is_recorded_without_one(
    sandbox: SandboxProcess, rest_client
):
    owned = rest_client.incoming_phone_numbers.create(area_code="415", voice_url="http://127.0.0.1:9/voice")
    placed = sandbox.place_call(owned.phone_number, "+14155550199", "busy", 0)
    assert placed["callback_status"] is None
    call = rest_client.calls(placed["call"]["sid"]).fetch()
    assert (call.status, call.direction, call.to, call._from) == (
        "busy",
        "inbound",
        owned.phone_number,
        "+14155550199",
    )
