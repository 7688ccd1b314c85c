"""Twilio's error answers: the codes the sandbox uses and the body shape Twilio sends."""

from __future__ import annotations

AUTHENTICATION_FAILED = 20003
NOT_FOUND = 20404
METHOD_NOT_ALLOWED = 20004
TOO_MANY_REQUESTS = 20429
INTERNAL_ERROR = 20500
SERVICE_UNAVAILABLE = 20503
INVALID_PHONE_NUMBER = 21421
NUMBER_NOT_AVAILABLE = 21422
NUMBER_OR_AREA_CODE_REQUIRED = 21450
INVALID_AREA_CODE = 21451
NO_NUMBERS_IN_AREA_CODE = 21452
INVALID_URL = 21502
INVALID_TO = 21211
CALL_TO_REQUIRED = 21201
CALL_FROM_REQUIRED = 21213
CALL_URL_REQUIRED = 21205
CALL_FROM_NOT_OWNED = 21210
MESSAGE_BODY_REQUIRED = 21602
MESSAGE_FROM_REQUIRED = 21603
MESSAGE_TO_REQUIRED = 21604
MESSAGE_FROM_NOT_OWNED = 21606
INVALID_PARAMETER = 20001
"""The sandbox's code for a malformed parameter Twilio documents no specific code for."""
ADDRESS_PARAMETER_INVALID = 21238
"""Twilio's "Address Validation Error": a parameter of an Address create or update is incorrect."""
ADDRESS_NOT_VALIDATED = 21628
"""Twilio's "Address Validation Error": the address cannot be validated (not found in its data)."""
ADDRESS_SUGGESTED = 21629
"""Twilio's "Check Suggested Address": with `AutoCorrectAddress=false`, a near match it would correct."""
EMERGENCY_ADDRESS_IN_USE = INVALID_PARAMETER
"""Twilio refuses to release a number whose emergency address is registered (its support article "Cancel or
release a Twilio number") and to delete an Address a number uses, but documents no code for either that we
found: the sandbox answers its generic code, and Switchboard never relies on it."""

STATUS_CODES = {429: TOO_MANY_REQUESTS, 500: INTERNAL_ERROR, 503: SERVICE_UNAVAILABLE}
"""The Twilio code an injected HTTP status carries; any other status carries the status itself."""


class TwilioError(Exception):
    """An answer the sandbox gives as a Twilio error body instead of a resource."""

    def __init__(self, status: int, code: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        """Return the JSON body Twilio sends: `code`, `message`, `more_info`, `status`."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def injected_error(status: int, retry_after: float | None = None) -> TwilioError:
    """Return the error an injected `status` fault answers with."""
    headers = {"Retry-After": f"{retry_after:g}"} if status == 429 and retry_after is not None else {}
    messages = {
        429: "Too Many Requests",
        500: "An internal server error has occurred",
        503: "Service Unavailable",
    }
    return TwilioError(
        status, STATUS_CODES.get(status, status), messages.get(status, f"Injected error {status}"), headers
    )
