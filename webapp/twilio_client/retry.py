"""Bounded retries with exponential backoff and full jitter, for transient Twilio failures only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from webapp.twilio_client.errors import ApiError, CircuitOpen, RateLimited, TwilioUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRY = "retrying"
RECONCILE = "checking whether it went through"
"""What follows a failed attempt (besides giving up), as the retry's log line says it."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is sent again.

    Attributes:
        max_attempts: attempts in all, the first one included.
        backoff_seconds: the base of the backoff; attempt n waits up to `backoff_seconds * 2**(n-1)`.
        retry_after_cap: the longest wait, also for a `Retry-After` Twilio sends.
        sleep: how to wait (tests pass a recorder).
        jitter: returns a float in [0, 1) that scales each backoff ("full jitter").
    """

    max_attempts: int
    backoff_seconds: float
    retry_after_cap: float
    sleep: Callable[[float], None] = field(repr=False)
    jitter: Callable[[], float] = field(repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}.")
        if self.backoff_seconds <= 0 or self.retry_after_cap <= 0:
            raise ValueError("backoff_seconds and retry_after_cap must be greater than zero.")

    def delay(self, attempt: int, error: ApiError) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(error.retry_after, self.retry_after_cap)
        ceiling = min(self.backoff_seconds * 2 ** (attempt - 1), self.retry_after_cap)
        return self.jitter() * ceiling

    def run(
        self,
        operation: str,
        attempt: Callable[[], T],
        *,
        idempotent: bool,
        reconcile: Callable[[], T | None] | None = None,
    ) -> T:
        """Return `attempt()`, sending it again after transient failures.

        Args:
            operation: the name logged with each retry.
            attempt: one request; raises `ApiError`.
            idempotent: whether sending the request twice does no harm. A request that is not idempotent is
                sent again after an ambiguous failure (it may have been carried out) only through `reconcile`.
            reconcile: called after an ambiguous failure, before sending again: what it returns, if not None,
                is the result (the first request went through); None means it did not, and it is safe to
                send again.

        Raises:
            ApiError: the last failure, at once when it is not transient.
        """
        for number in range(1, self.max_attempts + 1):
            try:
                return attempt()
            except ApiError as error:
                step = self._next_step(error, number, idempotent, reconcile is not None)
                if step is None:
                    raise
                self._wait(operation, number, error, step)
                if step == RECONCILE and reconcile is not None and (found := reconcile()) is not None:
                    logger.info("Twilio %s had gone through despite the failure; adopting it", operation)
                    return found
                last_error = error
        raise last_error  # the last attempt was ambiguous, and reconciling found it had not gone through

    def _next_step(self, error: ApiError, number: int, idempotent: bool, can_reconcile: bool) -> str | None:
        """What follows failed attempt `number`: `RECONCILE` (it may have gone through: look first),
        `RETRY`, or None: give up and raise it (not transient, the breaker refused, no attempt left, or a
        request that is not idempotent might be carried out twice)."""
        if not error.retryable or isinstance(error, CircuitOpen):
            return None
        ambiguous = isinstance(error, TwilioUnavailable) and error.ambiguous
        if ambiguous and can_reconcile:
            return RECONCILE
        if number < self.max_attempts and (idempotent or not ambiguous):
            return RETRY
        return None

    def _wait(self, operation: str, number: int, error: ApiError, step: str) -> None:
        """Log the failed attempt and what comes next, and sleep its backoff."""
        wait = self.delay(number, error)
        logger.warning(
            "Twilio %s attempt %d/%d failed (%s); %s in %.2fs",
            operation,
            number,
            self.max_attempts,
            type(error).__name__,
            step,
            wait,
        )
        self.sleep(wait)
