"""The retry policy's arithmetic and rules, with our own error classes and no I/O."""

from __future__ import annotations

from typing import Any

import pytest

from tests.twilio_client.helpers import RecordingSleep
from webapp.twilio_client import ApiError, CircuitOpen, NotFound, RateLimited, TwilioUnavailable
from webapp.twilio_client.retry import RetryPolicy


def failing_then(result: object, *errors: ApiError):
    """An attempt that raises `errors` in turn, then returns `result`; it counts its calls."""
    pending = list(errors)

    def attempt() -> object:
        attempt.calls += 1
        if pending:
            raise pending.pop(0)
        return result

    attempt.calls = 0
    return attempt


def unavailable(ambiguous: bool = False) -> TwilioUnavailable:
    return TwilioUnavailable("Twilio failed", ambiguous=ambiguous, status=503)


def retry_policy(**changes: Any) -> RetryPolicy:
    """The policy of the default settings (3 attempts, 0.5 s backoff, 30 s cap), recording its waits."""
    settings = {"max_attempts": 3, "backoff_seconds": 0.5, "retry_after_cap": 30.0}
    return RetryPolicy(**{**settings, "sleep": RecordingSleep(), "jitter": lambda: 0.5, **changes})


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = retry_policy(backoff_seconds=0.5, retry_after_cap=3.0, jitter=lambda: 1.0)

    assert [policy.delay(n, unavailable()) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_full_jitter_scales_the_whole_backoff() -> None:
    policy = retry_policy(backoff_seconds=0.5, jitter=lambda: 0.25)

    assert policy.delay(3, unavailable()) == pytest.approx(0.5)


def test_retry_after_is_honoured_and_capped() -> None:
    policy = retry_policy(retry_after_cap=10.0, jitter=lambda: 0.0)

    assert policy.delay(1, RateLimited("slow down", retry_after=4.0)) == 4.0
    assert policy.delay(1, RateLimited("slow down", retry_after=120.0)) == 10.0


def test_transient_failures_are_retried_with_growing_waits() -> None:
    sleep = RecordingSleep()
    retrying = retry_policy(max_attempts=3, backoff_seconds=0.1, sleep=sleep, jitter=lambda: 0.99)
    attempt = failing_then("done", unavailable(), unavailable())

    assert retrying.run("fetch_number", attempt, idempotent=True) == "done"
    assert attempt.calls == 3
    assert sleep.waits == pytest.approx([0.099, 0.198])


def test_attempts_are_bounded_and_the_last_is_not_waited_after() -> None:
    sleep = RecordingSleep()
    attempt = failing_then("never", *[unavailable()] * 5)

    with pytest.raises(TwilioUnavailable):
        retry_policy(max_attempts=3, sleep=sleep).run("fetch_number", attempt, idempotent=True)
    assert attempt.calls == 3
    assert len(sleep.waits) == 2


@pytest.mark.parametrize(
    "error",
    [ApiError("bad request", status=400), NotFound("gone", status=404), CircuitOpen("twilio:fetch_number")],
    ids=["400", "404", "circuit-open"],
)
def test_permanent_failures_and_an_open_circuit_are_not_retried(error: ApiError) -> None:
    attempt = failing_then("never", error)

    with pytest.raises(type(error)):
        retry_policy().run("fetch_number", attempt, idempotent=True)
    assert attempt.calls == 1


def test_ambiguous_failure_of_a_non_idempotent_request_is_not_resent() -> None:
    attempt = failing_then("never", unavailable(ambiguous=True))

    with pytest.raises(TwilioUnavailable):
        retry_policy().run("make_call", attempt, idempotent=False)
    assert attempt.calls == 1


def test_unambiguous_failure_of_a_non_idempotent_request_is_resent() -> None:
    attempt = failing_then("sent", RateLimited("slow down"), unavailable(ambiguous=False))

    assert retry_policy().run("make_call", attempt, idempotent=False) == "sent"
    assert attempt.calls == 3


def test_reconcile_adopts_what_went_through_instead_of_resending() -> None:
    attempt = failing_then("bought twice", unavailable(ambiguous=True))

    result = retry_policy().run("purchase_number", attempt, idempotent=False, reconcile=lambda: "bought once")

    assert result == "bought once"
    assert attempt.calls == 1


def test_reconcile_finding_nothing_lets_the_request_be_resent() -> None:
    attempt = failing_then("bought", unavailable(ambiguous=True))

    result = retry_policy().run("purchase_number", attempt, idempotent=False, reconcile=lambda: None)

    assert result == "bought"
    assert attempt.calls == 2


def test_reconcile_runs_after_the_last_ambiguous_attempt_too() -> None:
    attempt = failing_then("never", unavailable(ambiguous=True))

    result = retry_policy(max_attempts=1).run(
        "purchase_number", attempt, idempotent=False, reconcile=lambda: "bought once"
    )

    assert result == "bought once"


def test_every_attempt_ambiguous_and_nothing_found_raises_the_last_failure_after_max_attempts() -> None:
    first, last = unavailable(ambiguous=True), unavailable(ambiguous=True)
    attempt = failing_then("never", first, last, unavailable(ambiguous=True))
    looked_up = []

    def find_nothing() -> None:
        looked_up.append(attempt.calls)

    with pytest.raises(TwilioUnavailable) as raised:
        retry_policy(max_attempts=2).run("release_number", attempt, idempotent=False, reconcile=find_nothing)

    assert raised.value is last
    assert attempt.calls == 2
    assert looked_up == [1, 2], "each ambiguous attempt is looked up before anything follows it"


@pytest.mark.parametrize(
    "settings",
    [{"max_attempts": 0}, {"backoff_seconds": 0}, {"retry_after_cap": 0}],
    ids=["attempts", "backoff", "cap"],
)
def test_policy_refuses_nonsense_settings(settings: dict) -> None:
    with pytest.raises(ValueError):
        retry_policy(**settings)


def test_policy_accepts_the_smallest_settings() -> None:
    smallest = retry_policy(max_attempts=1, backoff_seconds=0.01, retry_after_cap=0.01, jitter=lambda: 1.0)

    assert smallest.delay(1, unavailable()) == 0.01
