"""Failure shapes the sandbox does not produce, mapped from the library's own objects (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from requests.structures import CaseInsensitiveDict
from twilio.base.exceptions import TwilioException, TwilioServiceException
from twilio.http.response import Response

from webapp.twilio_client import ApiError, NumberUnavailable, RateLimited, TwilioUnavailable
from webapp.twilio_client.error_mapping import to_api_error
from webapp.twilio_client.models import read_capabilities


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
