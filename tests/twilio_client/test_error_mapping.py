"""Failure shapes the sandbox does not produce, mapped from the library's own objects (no I/O)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from requests.structures import CaseInsensitiveDict
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.response import Response
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from tests.twilio_client.helpers import refused_url
from webapp.twilio_client import (
    ApiError,
    AuthError,
    NotFound,
    NumberUnavailable,
    RateLimited,
    TwilioUnavailable,
)
from webapp.twilio_client.error_mapping import to_api_error
from webapp.twilio_client.models import read_capabilities

TOKEN = "tok-3c9e1f0d-never-print-me"


def raised_by(call: Callable[[], object]) -> BaseException:
    """The exception `call` raises (it must raise one)."""
    with pytest.raises(Exception) as raised:
        call()
    return raised.value


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A base URL where connections are accepted and no answer ever comes."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def hanging_up_url() -> Iterator[str]:
    """A base URL whose server reads the request, then closes the connection without answering."""
    with socket.create_server(("127.0.0.1", 0)) as server:

        def hang_up() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)

        listener = threading.Thread(target=hang_up, daemon=True)
        listener.start()
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
        listener.join(timeout=5)


def test_capabilities_are_read_in_any_case() -> None:
    assert read_capabilities({"voice": True, "SMS": True, "MMS": False}) == {
        "voice": True,
        "sms": True,
        "mms": False,
        "fax": False,
    }


def test_problem_details_error_is_mapped_by_status_and_code() -> None:
    error = TwilioServiceException(
        type_uri="https://www.twilio.com/docs/errors/21452",
        title="No numbers found",
        status=400,
        code=21452,
        detail="No phone numbers found in area code 533",
        method="POST",
        uri="/IncomingPhoneNumbers.json",
    )

    mapped = to_api_error(error, None, secret="token")

    assert isinstance(mapped, NumberUnavailable)
    assert (mapped.status, mapped.code, mapped.message) == (
        400,
        21452,
        "No phone numbers found in area code 533",
    )


def test_retry_after_as_an_http_date() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    response = Response(
        429, '{"code": 20429, "message": "Too Many Requests"}', CaseInsensitiveDict({"retry-after": later})
    )

    mapped = to_api_error(TwilioException("Unable to fetch page", response), None, secret="token")

    assert isinstance(mapped, RateLimited)
    assert 18 <= mapped.retry_after <= 20


A_MINUTE_AGO = format_datetime(datetime.now(UTC) - timedelta(minutes=1), usegmt=True)


@pytest.mark.parametrize(
    ("header", "seconds"), [("4", 4.0), ("-3", 0.0), (A_MINUTE_AGO, 0.0)], ids=["seconds", "negative", "past"]
)
def test_retry_after_is_never_negative(header: str, seconds: float) -> None:
    response = Response(429, '{"code": 20429}', CaseInsensitiveDict({"Retry-After": header}))

    mapped = to_api_error(TwilioException("Unable to fetch page", response), None, secret=TOKEN)

    assert isinstance(mapped, RateLimited)
    assert mapped.retry_after == seconds


def test_page_error_without_a_json_body_keeps_its_status() -> None:
    response = Response(502, "<html>Bad gateway</html>", CaseInsensitiveDict())

    mapped = to_api_error(TwilioException("Unable to fetch page", response), None, secret="token")

    assert isinstance(mapped, TwilioUnavailable)
    assert (mapped.status, mapped.code, mapped.ambiguous) == (502, None, True)


@pytest.mark.parametrize("text", ["Page Records can not be deserialized", "token leaked: s3cret"])
def test_other_library_errors_are_plain_api_errors_without_the_token(text: str) -> None:
    mapped = to_api_error(TwilioException(text), None, secret="s3cret")

    assert type(mapped) is ApiError
    assert "s3cret" not in str(mapped)


def test_a_refused_connection_is_a_failure_before_anything_was_sent() -> None:
    error = raised_by(lambda: requests.get(f"{refused_url()}/2010-04-01/Accounts.json", timeout=5))

    mapped = to_api_error(error, None, secret=TOKEN)

    assert isinstance(mapped, TwilioUnavailable)
    assert mapped.ambiguous is False
    assert (mapped.method, mapped.uri) == ("GET", "/2010-04-01/Accounts.json")


def test_a_connect_timeout_is_a_failure_before_anything_was_sent() -> None:
    reason = ConnectTimeoutError(None, "Connection to api.twilio.com timed out. (connect timeout=3.05)")
    error = requests.ConnectTimeout(MaxRetryError(None, "/2010-04-01/Accounts.json", reason))  # as requests

    mapped = to_api_error(error, None, secret=TOKEN)

    assert isinstance(mapped, TwilioUnavailable)
    assert mapped.ambiguous is False


def test_a_read_timeout_may_have_been_carried_out(silent_url: str) -> None:
    error = raised_by(lambda: requests.get(silent_url, timeout=(5, 0.05)))

    mapped = to_api_error(error, None, secret=TOKEN)

    assert isinstance(mapped, TwilioUnavailable)
    assert mapped.ambiguous is True


def test_a_connection_lost_after_sending_may_have_been_carried_out(hanging_up_url: str) -> None:
    error = raised_by(lambda: requests.post(hanging_up_url, data={"PhoneNumber": "+14155550100"}, timeout=5))

    mapped = to_api_error(error, None, secret=TOKEN)

    assert isinstance(mapped, TwilioUnavailable)
    assert mapped.ambiguous is True
    assert mapped.message == "The connection to Twilio failed: ConnectionError."


def test_a_twilio_error_that_echoes_the_auth_token_is_redacted() -> None:
    error = TwilioRestException(401, "/2010-04-01/Accounts.json", f"Bad token {TOKEN}", code=20003)

    mapped = to_api_error(error, None, secret=TOKEN)

    assert isinstance(mapped, AuthError)
    assert mapped.message == "Bad token [redacted]"


def test_without_an_auth_token_nothing_is_redacted() -> None:
    error = TwilioRestException(400, "/2010-04-01/Accounts.json", "Missing parameter", code=21201)

    assert to_api_error(error, None, secret="").message == "Missing parameter"


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, None, AuthError),
        (400, 20003, AuthError),
        (404, None, NotFound),
        (400, 20404, NotFound),
        (429, None, RateLimited),
        (400, 20429, RateLimited),
        (400, 21422, NumberUnavailable),
        (400, 21452, NumberUnavailable),
        (400, 21421, ApiError),
        (500, None, TwilioUnavailable),
        (499, None, ApiError),
    ],
    ids=["401", "20003", "404", "20404", "bare-429", "20429", "21422", "21452", "21421", "500", "499"],
)
def test_twilio_errors_are_mapped_by_status_or_code(status: int, code: int | None, kind: type) -> None:
    error = TwilioRestException(status, "/2010-04-01/Accounts.json", "Twilio refused", code=code)

    mapped = to_api_error(error, None, secret=TOKEN)

    assert type(mapped) is kind
    assert (mapped.status, mapped.code, mapped.message) == (status, code, "Twilio refused")


def test_a_page_error_takes_twilio_code_and_message_from_its_body() -> None:
    response = Response(404, '{"code": 20404, "message": "Not found"}', CaseInsensitiveDict())

    mapped = to_api_error(TwilioException("Unable to fetch page", response), None, secret=TOKEN)

    assert isinstance(mapped, NotFound)
    assert (mapped.status, mapped.code, mapped.message, mapped.method) == (404, 20404, "Not found", "GET")


def test_an_answer_that_is_not_json_may_have_been_carried_out() -> None:
    error = raised_by(lambda: json.loads("<html>Bad gateway</html>"))  # as the library parses a body

    mapped = to_api_error(error, None, secret=TOKEN)

    assert isinstance(mapped, TwilioUnavailable)
    assert mapped.ambiguous is True
