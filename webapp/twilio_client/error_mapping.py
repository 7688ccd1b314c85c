"""Turn the three failure shapes of twilio-python into our errors.

1. `TwilioRestException` / `TwilioServiceException` from fetch, create, update and delete.
2. A plain `TwilioException("Unable to fetch page", response)` from list and search calls.
3. `requests` exceptions for connection errors and timeouts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.response import Response
from urllib3.exceptions import NewConnectionError

from webapp.twilio_client.errors import (
    ApiError,
    AuthError,
    NotFound,
    NumberUnavailable,
    RateLimited,
    TimedOut,
    TwilioUnavailable,
)

NUMBER_UNAVAILABLE_CODES = frozenset({21422, 21452})
"""Twilio errors meaning "no number to buy as asked" (see `NumberUnavailable`)."""

LIBRARY_ERRORS = (TwilioException, requests.RequestException, json.JSONDecodeError)
"""What a twilio-python call may raise on failure; `to_api_error` accepts each of them."""


def to_api_error(error: BaseException, response: Response | None, *, secret: str) -> ApiError:
    """Return our error for a library failure.

    Args:
        error: one of `LIBRARY_ERRORS`.
        response: the HTTP response the failure came from, when one arrived (for its headers).
        secret: the auth token, removed from any text taken from the failure.
    """
    if isinstance(error, TwilioRestException):
        return _from_status(
            error.status, error.code, str(error.msg), error.method, error.uri, response, secret=secret
        )
    if isinstance(error, TwilioServiceException):
        message = error.detail or error.title
        return _from_status(
            error.status, error.code, message, error.method, error.uri, response, secret=secret
        )
    if isinstance(error, TwilioException) and len(error.args) > 1 and isinstance(error.args[1], Response):
        return _from_page_error(error.args[1], secret=secret)
    if isinstance(error, requests.RequestException):
        return _from_transport(error, secret=secret)
    if isinstance(error, json.JSONDecodeError):
        return TwilioUnavailable("Twilio sent a response that is not JSON.", ambiguous=True)
    return ApiError(_redact(f"Unexpected answer from Twilio: {error}", secret))


def _from_page_error(response: Response, *, secret: str) -> ApiError:
    body = _json_body(response.text)
    return _from_status(
        response.status_code,
        body.get("code"),
        str(body.get("message") or "Unable to fetch page"),
        "GET",
        None,
        response,
        secret=secret,
    )


def _from_status(
    status: int,
    code: int | None,
    message: str,
    method: str | None,
    uri: str | None,
    response: Response | None,
    *,
    secret: str,
) -> ApiError:
    fields: dict[str, Any] = {"status": status, "code": code, "method": method, "uri": uri}
    message = _redact(message, secret)
    if status == 401 or code == 20003:
        return AuthError(message, **fields)
    if status == 404 or code == 20404:
        return NotFound(message, **fields)
    if status == 429 or code == 20429:
        return RateLimited(message, retry_after=_retry_after(response), **fields)
    if code in NUMBER_UNAVAILABLE_CODES:
        return NumberUnavailable(message, **fields)
    if status >= 500:
        return TwilioUnavailable(message, ambiguous=True, **fields)
    return ApiError(message, **fields)


def _from_transport(error: requests.RequestException, *, secret: str) -> TwilioUnavailable:
    request = error.request
    fields: dict[str, Any] = {
        "method": getattr(request, "method", None),
        "uri": getattr(request, "path_url", None),
    }
    if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
        failed = TimedOut if isinstance(error, requests.ConnectTimeout) else TwilioUnavailable
        return failed(
            _redact(f"Could not connect to Twilio: {type(error).__name__}.", secret),
            ambiguous=False,
            **fields,
        )
    if isinstance(error, requests.ReadTimeout):
        return TimedOut("Twilio did not answer in time.", ambiguous=True, **fields)
    return TwilioUnavailable(
        _redact(f"The connection to Twilio failed: {type(error).__name__}.", secret), ambiguous=True, **fields
    )


def _never_connected(error: requests.RequestException) -> bool:
    """Whether the failure happened before the request could be sent (refused, unknown host): urllib3's
    `NewConnectionError` (`NameResolutionError` is one) among the errors that led to it."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, NewConnectionError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(response: Response | None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or None."""
    value = (response.headers or {}).get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _json_body(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _redact(text: str, secret: str) -> str:
    return text.replace(secret, "[redacted]") if secret else text
