"""The errors the Twilio client raises: classes with fields, never the library's exceptions.

`retryable` says whether sending the same request again later may succeed; the client's own retries and the
circuit breakers act on it, and jobs may use it to decide about an RQ retry.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Twilio refused or could not answer a request.

    Attributes:
        status: the HTTP status, or None when no answer arrived.
        code: Twilio's error code (https://www.twilio.com/docs/errors/<code>), or None.
        message: what went wrong, in a sentence.
        retryable: whether the same request may succeed if sent again later.
        method, uri: the request, without credentials.
        outcome: how the metrics name this failure (a class attribute; a bounded label value).
    """

    retryable = False
    outcome = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        method: str | None = None,
        uri: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.uri = uri

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None or self.code is not None:
            parts.append(f"(HTTP {self.status}, Twilio error {self.code})")
        if self.method and self.uri:
            parts.append(f"[{self.method} {self.uri}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, code={self.code!r}, "
            f"method={self.method!r}, uri={self.uri!r})"
        )


class AuthError(ApiError):
    """Twilio rejected the account SID or auth token (401, error 20003); fix the settings, do not retry."""

    outcome = "auth_error"


class NotFound(ApiError):
    """The number, call or message does not exist on this account (404, error 20404), or was released."""

    outcome = "not_found"


class NumberUnavailable(ApiError):
    """No number can be bought as asked.

    Twilio errors 21422 (that number is not available to buy) and 21452 (no numbers in that area code), and
    a search that found nothing. 21421 (an invalid phone number) is a plain `ApiError`: it means the request
    was wrong, not that the market is empty.
    """

    outcome = "number_unavailable"


class RateLimited(ApiError):
    """Twilio asked us to slow down (429, error 20429); the request was not processed and is safe to resend.

    Attributes:
        retry_after: seconds Twilio asked us to wait (from `Retry-After`), or None when it did not say.
    """

    retryable = True
    outcome = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.retry_after = retry_after


class TwilioUnavailable(ApiError):
    """Twilio could not be reached or failed (connection error, timeout, 5xx, or the circuit is open).

    Attributes:
        ambiguous: the request may have reached Twilio and been carried out (a read timeout, a connection
            lost after sending, a 5xx); a purchase must then be reconciled before it is sent again.
    """

    retryable = True
    outcome = "unavailable"

    def __init__(self, message: str, *, ambiguous: bool, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.ambiguous = ambiguous


class TimedOut(TwilioUnavailable):
    """Twilio did not accept the connection, or did not answer, within the client's timeouts."""

    outcome = "timeout"


class NoSlotFree(TwilioUnavailable):
    """No slot of the account's concurrency limit came free in time: nothing was sent. Our own limit is
    busy, which says nothing of Twilio's health, so the circuit breakers ignore it (as they do a 429)."""

    outcome = "no_slot"

    def __init__(self, message: str) -> None:
        super().__init__(message, ambiguous=False)


class CircuitOpen(TwilioUnavailable):
    """The operation's circuit breaker is open: nothing was sent; try again after the breaker's reset time."""

    outcome = "circuit_open"

    def __init__(self, breaker_name: str) -> None:
        super().__init__(
            f"Twilio calls for {breaker_name} are paused after repeated failures; try again shortly.",
            ambiguous=False,
        )
        self.breaker_name = breaker_name
