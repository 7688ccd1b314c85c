"""The client's operations against the local Twilio sandbox over real HTTP: results and business errors."""

from __future__ import annotations

import pytest

from harness.sandbox import SandboxProcess
from tests.twilio_client.helpers import NUMBER_SID, STATUS_CALLBACK_URL, VOICE_URL
from webapp.sandbox.pool import (
    MAGIC_AVAILABLE,
    MAGIC_INVALID,
    MAGIC_NO_NUMBERS_AREA_CODE,
    MAGIC_UNAVAILABLE,
)
from webapp.twilio_client import (
    ApiError,
    AuthError,
    AvailableNumber,
    NotFound,
    NumberUnavailable,
    TwilioClient,
    TwilioNumber,
)
from webapp.twilio_client.configuration import NumberConfiguration

CONFIGURATION = NumberConfiguration(VOICE_URL, STATUS_CALLBACK_URL)
"""Our voice URL and status callback."""


@pytest.fixture
def client(make_client, sandbox: SandboxProcess) -> TwilioClient:
    return make_client(sandbox.base_url)


def test_search_returns_available_numbers_in_the_area_code(client: TwilioClient) -> None:
    found = client.search_available_numbers(area_code="415", limit=3)

    assert len(found) == 3
    assert all(isinstance(number, AvailableNumber) for number in found)
    assert all(number.phone_number.startswith("+1415") for number in found)
    assert all(number.capabilities["voice"] for number in found)


def test_search_with_nothing_to_offer_is_an_empty_list(client: TwilioClient, sandbox: SandboxProcess) -> None:
    sandbox.set_pool_size(0)

    assert client.search_available_numbers(area_code="415") == []


def test_provision_buys_a_number_with_our_webhook(client: TwilioClient, sandbox: SandboxProcess) -> None:
    number = client.provision_number("415", friendly_name="Acme Plumbing", configuration=CONFIGURATION)

    assert isinstance(number, TwilioNumber)
    assert number.phone_number.startswith("+1415")
    assert (number.friendly_name, number.voice_url, number.voice_method) == (
        "Acme Plumbing",
        VOICE_URL,
        "POST",
    )
    assert (number.status_callback, number.status_callback_method) == (STATUS_CALLBACK_URL, "POST")
    assert sandbox.owned_numbers() == [
        {"sid": number.sid, "phone_number": number.phone_number, "friendly_name": "Acme Plumbing"}
    ]


@pytest.mark.parametrize(
    "area_code", [MAGIC_NO_NUMBERS_AREA_CODE, "415"], ids=["twilio-test-area-code", "area-code-sold-out"]
)
def test_provision_in_an_area_code_with_nothing_says_so(
    client: TwilioClient, sandbox: SandboxProcess, area_code: str
) -> None:
    sandbox.set_pool_size(0)

    with pytest.raises(NumberUnavailable, match=f"no numbers available in area code {area_code}"):
        client.provision_number(area_code, friendly_name="Acme Plumbing", configuration=CONFIGURATION)
    assert sandbox.owned_count() == 0


def test_purchase_of_a_number_not_for_sale_is_number_unavailable(
    client: TwilioClient, sandbox: SandboxProcess
) -> None:
    with pytest.raises(NumberUnavailable) as raised:
        client.purchase_number(MAGIC_UNAVAILABLE, "Acme Plumbing", CONFIGURATION)

    assert (raised.value.status, raised.value.code, raised.value.retryable) == (400, 21422, False)
    assert sandbox.request_count("POST /IncomingPhoneNumbers.json") == 1


def test_purchase_of_an_invalid_number_is_a_plain_api_error(client: TwilioClient) -> None:
    with pytest.raises(ApiError) as raised:
        client.purchase_number(MAGIC_INVALID, "Acme Plumbing", CONFIGURATION)

    assert type(raised.value) is ApiError
    assert raised.value.code == 21421


def test_update_number_webhook_sets_voice_url_and_status_callback(
    client: TwilioClient, sandbox: SandboxProcess
) -> None:
    bought = client.purchase_number(
        MAGIC_AVAILABLE, "Acme Plumbing", NumberConfiguration("https://old.example.com/voice")
    )

    updated = client.update_number_webhook(bought.sid, CONFIGURATION)

    assert updated.sid == bought.sid
    assert (updated.voice_url, updated.voice_method) == (VOICE_URL, "POST")
    assert (updated.status_callback, updated.status_callback_method) == (STATUS_CALLBACK_URL, "POST")
    assert client.fetch_number(bought.sid) == updated


def test_update_number_webhook_of_an_unknown_number_is_not_found_and_not_retried(
    client: TwilioClient, sandbox: SandboxProcess
) -> None:
    with pytest.raises(NotFound) as raised:
        client.update_number_webhook(NUMBER_SID, CONFIGURATION)

    assert (raised.value.status, raised.value.code, raised.value.method) == (404, 20404, "POST")
    assert NUMBER_SID in raised.value.uri
    assert sandbox.request_count("POST /IncomingPhoneNumbers/{Sid}.json") == 1


def test_find_numbers_matches_friendly_name_and_phone_number(client: TwilioClient) -> None:
    acme = client.provision_number("415", friendly_name="Acme Plumbing", configuration=CONFIGURATION)
    client.provision_number("415", friendly_name="Bolt Electric", configuration=CONFIGURATION)

    assert client.find_numbers(friendly_name="Acme Plumbing") == [acme]
    assert client.find_numbers(phone_number=acme.phone_number) == [acme]
    assert client.find_numbers(friendly_name="Nobody") == []


def test_list_numbers_returns_every_number_on_the_account(client: TwilioClient) -> None:
    bought = {
        client.provision_number(friendly_name=f"Business {n}", configuration=CONFIGURATION).sid
        for n in range(3)
    }
    assert {number.sid for number in client.list_numbers()} == bought


def test_released_number_is_gone(client: TwilioClient, sandbox: SandboxProcess) -> None:
    bought = client.provision_number("415", friendly_name="Acme Plumbing", configuration=CONFIGURATION)

    client.release_number(bought.sid)

    assert sandbox.owned_count() == 0
    with pytest.raises(NotFound):
        client.fetch_number(bought.sid)
    with pytest.raises(NotFound):
        client.release_number(bought.sid)


def test_calls_from_an_owned_number(client: TwilioClient) -> None:
    ours = client.provision_number("415", friendly_name="Acme Plumbing", configuration=CONFIGURATION)

    call = client.make_call("+14155550199", ours.phone_number, VOICE_URL)

    assert client.get_call(call.sid).sid == call.sid
    assert (call.to, call.from_) == ("+14155550199", ours.phone_number)


def test_wrong_credentials_are_an_auth_error_and_not_retried(make_client, sandbox: SandboxProcess) -> None:
    client = make_client(sandbox.base_url, auth_token="not-the-token")

    with pytest.raises(AuthError) as raised:
        client.fetch_number(NUMBER_SID)

    assert (raised.value.status, raised.value.code, raised.value.retryable) == (401, 20003, False)
    assert sandbox.request_count("GET /IncomingPhoneNumbers/{Sid}.json") == 1


def test_wrong_credentials_on_a_list_call_are_an_auth_error(make_client, sandbox: SandboxProcess) -> None:
    """List calls fail with the library's plain "Unable to fetch page"; its body gives status and code."""
    client = make_client(sandbox.base_url, auth_token="not-the-token")

    with pytest.raises(AuthError) as raised:
        client.search_available_numbers(area_code="415")

    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert sandbox.request_count("GET /AvailablePhoneNumbers/{Country}/Local.json") == 1
