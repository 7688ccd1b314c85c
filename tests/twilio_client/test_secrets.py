"""The auth token never appears in a log line (twilio-python's DEBUG logging included) or in an error."""

from __future__ import annotations

import base64
import logging
import traceback

import pytest

from harness.prism import PrismServer
from tests.twilio_client.helpers import NUMBER_SID, VOICE_URL, refused_url
from webapp.config import SANDBOX_ACCOUNT_SID
from webapp.twilio_client import ApiError
from webapp.twilio_client.configuration import NumberConfiguration

TOKEN = "tok-3c9e1f0d-never-print-me"


def forms_of(token: str) -> list[str]:
    """The token as written, and inside the Basic authorization header."""
    return [token, base64.b64encode(f"{SANDBOX_ACCOUNT_SID}:{token}".encode()).decode()]


def assert_absent(token: str, text: str) -> None:
    for form in forms_of(token):
        assert form not in text


def error_text(error: ApiError) -> str:
    """Everything an error shows: str, repr, and the whole formatted traceback with its causes."""
    return "\n".join([str(error), repr(error), "".join(traceback.format_exception(error))])


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="twilio.http_client")
    return caplog


def test_token_absent_from_logs_of_successful_calls(make_client, prism: PrismServer, debug_logs) -> None:
    client = make_client(prism.base_url, auth_token=TOKEN)

    client.update_number_webhook(NUMBER_SID, NumberConfiguration(VOICE_URL))
    client.find_numbers(friendly_name="Acme Plumbing")

    assert any(record.name == "twilio.http_client" for record in debug_logs.records), "library logging is on"
    assert_absent(TOKEN, debug_logs.text)
    assert_absent(TOKEN, repr(client))


def test_token_absent_from_connection_errors_and_their_logs(make_client, debug_logs) -> None:
    client = make_client(refused_url(), auth_token=TOKEN, max_attempts=2)

    with pytest.raises(ApiError) as raised:
        client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))

    assert_absent(TOKEN, error_text(raised.value))
    assert_absent(TOKEN, debug_logs.text)


def test_token_absent_from_twilio_errors_and_their_logs(make_client, start_sandbox, debug_logs) -> None:
    sandbox = start_sandbox("500=1.0,path=/AvailablePhoneNumbers")
    client = make_client(sandbox.base_url, auth_token=sandbox.auth_token)
    rejected = make_client(sandbox.base_url, auth_token=TOKEN)
    failures = []

    for call in (
        lambda: client.fetch_number(NUMBER_SID),
        lambda: client.search_available_numbers(area_code="415"),
        lambda: rejected.fetch_number(NUMBER_SID),
        lambda: rejected.find_numbers(friendly_name="Acme Plumbing"),
    ):
        with pytest.raises(ApiError) as raised:
            call()
        failures.append(raised.value)

    assert [type(error).__name__ for error in failures] == [
        "NotFound",
        "TwilioUnavailable",
        "AuthError",
        "AuthError",
    ]
    for token in (TOKEN, sandbox.auth_token):
        for error in failures:
            assert_absent(token, error_text(error))
        assert_absent(token, debug_logs.text)
