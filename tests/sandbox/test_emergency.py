"""The sandbox's Addresses and emergency addresses on numbers, driven with the official twilio library."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from harness.sandbox import SandboxProcess
from harness.waits import wait_until
from tests.sandbox.helpers import ERROR_KEYS, api_request, buy
from tests.sandbox.test_schema import TwilioSpec, twilio_spec  # noqa: F401  (a fixture)

ADDRESS = {
    "customer_name": "Acme",
    "street": "1 Main St",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "iso_country": "US",
}


def twilio_error(call: Callable[[], object]) -> TwilioRestException:
    """Return the TwilioRestException `call` raises."""
    with pytest.raises(TwilioRestException) as raised:
        call()
    return raised.value


def status_of(rest_client: Client, sid: str) -> str:
    return rest_client.incoming_phone_numbers(sid).fetch().emergency_address_status


def test_addresses_are_created_corrected_listed_updated_and_deleted(rest_client: Client):
    made = rest_client.addresses.create(**ADDRESS, emergency_enabled=True, friendly_name="switchboard:acme")

    assert (made.street, made.region, made.emergency_enabled) == ("1 Main Street", "IL", True)
    assert [a.sid for a in rest_client.addresses.list(friendly_name="switchboard:acme")] == [made.sid]
    assert rest_client.addresses.list(friendly_name="someone else") == []
    assert rest_client.addresses(made.sid).update(city="Chicago").city == "Chicago"
    assert rest_client.addresses(made.sid).fetch().city == "Chicago"
    assert rest_client.addresses(made.sid).delete() is True
    assert twilio_error(lambda: rest_client.addresses(made.sid).fetch()).status == 404


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"street": "1 Nowhere Ln"}, 21628, "The address you have provided cannot be validated."),
        (
            {"auto_correct_address": False},
            21629,
            "The address you have provided cannot be validated. "
            "A similar address has been found to be valid: 1 Main Street, Springfield, IL 62701",
        ),
        ({"customer_name": " "}, 21238, "Required parameter CustomerName is missing."),
        ({"iso_country": "FR"}, 21238, "Emergency addresses are for US, CA or GB addresses, not FR."),
    ],
)
def test_an_address_twilio_would_refuse_is_refused_with_its_code(
    sandbox: SandboxProcess, rest_client: Client, changes: dict[str, Any], code: int, message: str
):
    error = twilio_error(
        lambda: rest_client.addresses.create(**{**ADDRESS, **changes}, emergency_enabled=True)
    )
    answer = api_request(sandbox, "POST", "/Addresses.json", data={"CustomerName": "Acme"})

    assert (error.status, error.code, error.msg) == (400, code, f"Unable to create record: {message}")
    assert set(answer.json()) == ERROR_KEYS
    assert rest_client.addresses.list() == []


def test_a_registered_number_is_not_released_until_its_address_is_unregistered(
    sandbox: SandboxProcess, rest_client: Client
):
    sandbox.set_emergency(delay_seconds=0.5)
    address = rest_client.addresses.create(**ADDRESS, emergency_enabled=True)
    number = rest_client.incoming_phone_numbers.create(area_code="415")

    assigned = rest_client.incoming_phone_numbers(number.sid).update(emergency_address_sid=address.sid)

    assert (assigned.emergency_address_sid, assigned.emergency_address_status) == (
        address.sid,
        "pending-registration",
    )
    wait_until(lambda: status_of(rest_client, number.sid) == "registered", 10, "registration")
    refused = twilio_error(lambda: rest_client.incoming_phone_numbers(number.sid).delete())
    assert refused.status == 400 and "registered emergency address" in refused.msg
    assert twilio_error(lambda: rest_client.addresses(address.sid).delete()).status == 400
    removed = rest_client.incoming_phone_numbers(number.sid).update(emergency_address_sid="")
    assert removed.emergency_address_status == "pending-unregistration"
    wait_until(lambda: status_of(rest_client, number.sid) == "unregistered", 10, "unregistration")
    assert rest_client.incoming_phone_numbers(number.sid).fetch().emergency_address_sid is None
    assert rest_client.incoming_phone_numbers(number.sid).delete() is True


def test_an_invalid_address_or_the_control_switch_ends_in_registration_failure_with_an_alert(
    sandbox: SandboxProcess, rest_client: Client
):
    sandbox.set_emergency(delay_seconds=0, reason="Not in the 911 database.")
    invalid = rest_client.addresses.create(**{**ADDRESS, "street": "9 Invalid Way"}, emergency_enabled=True)
    valid = rest_client.addresses.create(**ADDRESS, emergency_enabled=True)
    first, second = (rest_client.incoming_phone_numbers.create(area_code="415") for _ in range(2))

    rest_client.incoming_phone_numbers(first.sid).update(emergency_address_sid=invalid.sid)
    sandbox.set_emergency(fail_registration=True)
    rest_client.incoming_phone_numbers(second.sid).update(emergency_address_sid=valid.sid)

    assert status_of(rest_client, first.sid) == status_of(rest_client, second.sid) == "registration-failure"
    auth = (sandbox.account_sid, sandbox.auth_token)
    listed = requests.get(f"{sandbox.base_url}/v1/Alerts", auth=auth, timeout=5).json()["alerts"]
    alerts = {alert["resource_sid"]: alert for alert in listed}
    assert alerts[first.sid]["error_code"] == "21628"
    assert "Msg=Not+in+the+911+database." in alerts[second.sid]["alert_text"]


def test_a_console_user_sets_the_emergency_address_through_the_control_api(
    sandbox: SandboxProcess, rest_client: Client
):
    sandbox.set_emergency(delay_seconds=0)
    address = rest_client.addresses.create(**ADDRESS, emergency_enabled=True)
    number = rest_client.incoming_phone_numbers.create(area_code="415")

    sandbox._control("POST", f"/numbers/{number.sid}", json={"changes": {"EmergencyAddressSid": address.sid}})

    assert status_of(rest_client, number.sid) == "registered"


def test_address_answers_and_a_number_with_its_emergency_address_match_the_spec(
    twilio_spec: TwilioSpec,  # noqa: F811  (the fixture imported above)
    sandbox: SandboxProcess,
):
    form = {
        "CustomerName": "Acme",
        "Street": "1 Main St",
        "City": "Springfield",
        "Region": "IL",
        "PostalCode": "62701",
        "IsoCountry": "US",
        "EmergencyEnabled": "true",
        "FriendlyName": "switchboard:acme",
    }
    created = twilio_spec.check(
        api_request(sandbox, "POST", "/Addresses.json", data=form), "POST", "/Addresses.json", 201
    )
    instance = f"/Addresses/{created['sid']}.json"
    fetched = twilio_spec.check(api_request(sandbox, "GET", instance), "GET", "/Addresses/{Sid}.json", 200)
    updated = twilio_spec.check(
        api_request(sandbox, "POST", instance, data={"City": "Chicago"}), "POST", "/Addresses/{Sid}.json", 200
    )
    listed = twilio_spec.check(
        api_request(sandbox, "GET", "/Addresses.json", params={"FriendlyName": "switchboard:acme"}),
        "GET",
        "/Addresses.json",
        200,
    )
    number = buy(sandbox, AreaCode="415").json()
    assigned = twilio_spec.check(
        api_request(
            sandbox,
            "POST",
            f"/IncomingPhoneNumbers/{number['sid']}.json",
            data={"EmergencyAddressSid": created["sid"]},
        ),
        "POST",
        "/IncomingPhoneNumbers/{Sid}.json",
        200,
    )

    fields = twilio_spec.fields("api.v2010.account.address")
    assert set(created) == set(fetched) == set(updated) == fields
    assert [a["sid"] for a in listed["addresses"]] == [created["sid"]]
    assert assigned["emergency_address_status"] == "pending-registration"
