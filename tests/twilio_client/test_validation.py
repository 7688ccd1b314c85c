"""Arguments are checked before any I/O: a bad one raises ValueError and nothing is sent or counted."""

from __future__ import annotations

import pytest

from tests.twilio_client.helpers import NUMBER_SID, VOICE_URL, refused_url
from webapp.twilio_client import TwilioClient, breaker_states
from webapp.twilio_client.configuration import NumberConfiguration


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.purchase_number("4155550100", "Acme", NumberConfiguration(VOICE_URL)), "E.164"),
        (
            lambda c: c.purchase_number("+14155550100", "x" * 65, NumberConfiguration(VOICE_URL)),
            "at most 64 characters",
        ),
        (
            lambda c: c.purchase_number("+14155550100", " ", NumberConfiguration(VOICE_URL)),
            "friendly name must not be empty",
        ),
        (
            lambda c: c.purchase_number("+14155550100", "Acme", NumberConfiguration("ftp://example.com")),
            "voice URL",
        ),
        (
            lambda c: c.provision_number(
                "41", friendly_name="Acme", configuration=NumberConfiguration(VOICE_URL)
            ),
            "area code",
        ),
        (lambda c: c.search_available_numbers(country="usa"), "two-letter"),
        (lambda c: c.search_available_numbers(limit=0), "limit"),
        (lambda c: c.search_available_numbers(contains="5"), "pattern"),
        (
            lambda c: c.update_number_webhook("PN123", NumberConfiguration(VOICE_URL)),
            "PN followed by 32 hexadecimal digits",
        ),
        (lambda c: c.fetch_number("CA" + "0" * 32), "PN followed by 32"),
        (lambda c: c.release_number(""), "PN followed by 32"),
        (lambda c: c.find_numbers(), "friendly name or a phone number"),
        (lambda c: c.get_call(NUMBER_SID), "CA followed by 32"),
        (lambda c: c.make_call("+1 415 555 0199", "+14155550100", VOICE_URL), "E.164"),
    ],
)
def test_bad_arguments_raise_before_any_request(make_client, redis_client, call, message: str) -> None:
    client: TwilioClient = make_client(refused_url())

    with pytest.raises(ValueError, match=message):
        call(client)
    assert all(state.failure_count == 0 for state in breaker_states(redis_client, reset_timeout=30))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"connect_timeout": 0}, "connect timeout must be greater than zero"),
        ({"read_timeout": -1}, "read timeout must be greater than zero"),
        ({"api_base_url": "api.twilio.com"}, "base URL"),
        ({"account_sid": "AC123"}, "account SID"),
    ],
)
def test_bad_settings_are_refused(make_client, changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_client(refused_url(), **changes)
