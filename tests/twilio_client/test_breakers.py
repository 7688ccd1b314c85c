"""Circuit breakers over real Redis: per-operation state, shared between processes, Redis outages.

Transient failures come from the faulty sandbox (which counts what is sent) or from a port where nothing
listens.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pybreaker
import pytest

from harness.prism import PrismServer
from harness.sandbox import SandboxProcess
from harness.waits import wait_until
from tests.twilio_client.helpers import NUMBER_SID, refused_url, settings_for
from webapp.config import PROJECT_ROOT
from webapp.redis_connection import redis_from_url
from webapp.twilio_client import (
    CircuitOpen,
    NoSlotFree,
    NotFound,
    RateLimited,
    TwilioClient,
    TwilioUnavailable,
    breaker_states,
)
from webapp.twilio_client.breakers import OPERATIONS, breaker_name
from webapp.twilio_client.configuration import NumberConfiguration

FETCH = "GET /IncomingPhoneNumbers/{Sid}.json"

TRIP_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from tests.twilio_client.helpers import NUMBER_SID, settings_for
    from webapp.redis_connection import redis_from_url
    from webapp.twilio_client import TwilioClient, TwilioUnavailable

    redis_url, base_url = sys.argv[1:]
    settings = settings_for(base_url, max_attempts=1, breaker_fail_max=2)
    with TwilioClient(settings, redis_from_url(redis_url)) as client:
        for _ in range(2):
            try:
                client.fetch_number(NUMBER_SID)
            except TwilioUnavailable:
                pass
    """
)


def state_of(redis, operation: str, reset_timeout: float = 30):
    return next(
        s for s in breaker_states(redis, reset_timeout=reset_timeout) if s.name == breaker_name(operation)
    )


def assert_closed_with_no_failures(redis, operation: str) -> None:
    state = state_of(redis, operation)
    assert (state.state, state.failure_count) == ("closed", 0)


def wait_for_trial_call(redis) -> None:
    """Wait until the open `fetch_number` breaker (reset timeout 1 s) lets a trial call through."""
    retry_at = state_of(redis, "fetch_number", reset_timeout=1).retry_at
    assert retry_at is not None, "the breaker is not open"
    wait_until(lambda: datetime.now(UTC) >= retry_at, 5, "the breaker's reset timeout to pass")


def fail(client: TwilioClient, times: int) -> None:
    for _ in range(times):
        with pytest.raises(TwilioUnavailable) as raised:
            client.fetch_number(NUMBER_SID)
        assert not isinstance(raised.value, CircuitOpen)


def test_breaker_opens_after_fail_max_transient_failures(make_client, redis_client) -> None:
    client = make_client(refused_url(), max_attempts=1, breaker_fail_max=3)

    fail(client, 2)
    assert state_of(redis_client, "fetch_number").state == "closed"
    assert state_of(redis_client, "fetch_number").failure_count == 2
    fail(client, 1)

    with pytest.raises(CircuitOpen, match="paused after repeated failures"):
        client.fetch_number(NUMBER_SID)
    opened = state_of(redis_client, "fetch_number")
    assert opened.state == "open"
    assert opened.retry_at == opened.opened_at + timedelta(seconds=30)


def test_each_operation_has_its_own_breaker(make_client, redis_client) -> None:
    client = make_client(refused_url(), max_attempts=1, breaker_fail_max=1)
    fail(client, 1)

    states = {state.name: state.state for state in breaker_states(redis_client, reset_timeout=30)}

    assert states == {breaker_name(op): ("open" if op == "fetch_number" else "closed") for op in OPERATIONS}
    with pytest.raises(TwilioUnavailable) as raised:
        client.update_number_webhook(NUMBER_SID, NumberConfiguration("https://example.com/voice"))
    assert not isinstance(raised.value, CircuitOpen)


def test_breaker_states_read_what_pybreaker_stores(make_client, redis_client) -> None:
    client = make_client(refused_url(), max_attempts=1, breaker_fail_max=1)
    fail(client, 1)
    stored = pybreaker.CircuitRedisStorage("closed", redis_client, namespace=breaker_name("fetch_number"))

    ours = state_of(redis_client, "fetch_number")

    assert (ours.state, ours.failure_count, ours.opened_at) == (
        stored.state,
        stored.counter,
        stored.opened_at,
    )


def test_breaker_states_as_dict_is_json_ready(redis_client) -> None:
    [first, *_] = breaker_states(redis_client, reset_timeout=30)

    assert first.as_dict() == {
        "name": "twilio:search_available_numbers",
        "state": "closed",
        "failure_count": 0,
        "opened_at": None,
        "retry_at": None,
    }


def test_open_breaker_sends_nothing(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("500=1.0")
    client = make_client(sandbox.base_url, max_attempts=1, breaker_fail_max=3)
    fail(client, 3)
    assert sandbox.request_count(FETCH) == 3

    for _ in range(3):
        with pytest.raises(CircuitOpen):
            client.fetch_number(NUMBER_SID)

    assert sandbox.request_count(FETCH) == 3


def test_retries_stop_when_the_breaker_opens(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("503=1.0")
    client = make_client(sandbox.base_url, max_attempts=3, breaker_fail_max=2)

    with pytest.raises(CircuitOpen):
        client.fetch_number(NUMBER_SID)

    assert sandbox.request_count(FETCH) == 2


def test_business_errors_do_not_count_as_failures(make_client, start_sandbox, redis_client) -> None:
    """A 404 proves Twilio answers: pybreaker counts it as a success and resets the failure count."""
    sandbox: SandboxProcess = start_sandbox("500=1.0")
    client = make_client(sandbox.base_url, max_attempts=1, breaker_fail_max=2)
    fail(client, 1)
    sandbox.set_faults("")

    for _ in range(3):
        with pytest.raises(NotFound):
            client.fetch_number(NUMBER_SID)

    assert state_of(redis_client, "fetch_number").failure_count == 0
    sandbox.set_faults("500=1.0")
    fail(client, 1)
    assert state_of(redis_client, "fetch_number").state == "closed"


def test_a_burst_of_429s_never_opens_the_breaker(make_client, start_sandbox, redis_client) -> None:
    """A 429 says Twilio is up and asks us to slow down: the shared limit shrinks, the breaker stays shut."""
    sandbox: SandboxProcess = start_sandbox("429=1.0")
    client = make_client(sandbox.base_url, max_attempts=1, breaker_fail_max=2)

    for _ in range(5):
        with pytest.raises(RateLimited):
            client.fetch_number(NUMBER_SID)

    assert sandbox.request_count(FETCH) == 5
    assert_closed_with_no_failures(redis_client, "fetch_number")


def test_no_slot_free_in_time_never_opens_the_breaker(make_client, start_sandbox, redis_client) -> None:
    """Waiting in vain for the account's own limit says nothing of Twilio: nothing sent, nothing counted."""
    sandbox: SandboxProcess = start_sandbox("")
    client = make_client(
        sandbox.base_url,
        max_attempts=1,
        breaker_fail_max=2,
        max_concurrency=1,
        connect_timeout=0.1,
        read_timeout=0.1,
    )
    with client.concurrency.slot():  # the account's only slot, held by another request
        for _ in range(3):
            with pytest.raises(NoSlotFree):
                client.fetch_number(NUMBER_SID)

    assert sandbox.request_count(FETCH) == 0
    assert_closed_with_no_failures(redis_client, "fetch_number")
    with pytest.raises(NotFound):  # sent once the slot is free (the sandbox has no such number)
        client.fetch_number(NUMBER_SID)
    assert sandbox.request_count(FETCH) == 1


def test_breaker_opened_by_another_process_stops_this_one(
    make_client, start_sandbox, redis_url, redis_client
) -> None:
    sandbox: SandboxProcess = start_sandbox("500=1.0")
    subprocess.run(
        [sys.executable, "-c", TRIP_IN_ANOTHER_PROCESS, redis_url, sandbox.base_url],
        cwd=PROJECT_ROOT,
        check=True,
        timeout=60,
    )
    assert sandbox.request_count(FETCH) == 2
    sandbox.set_faults("")
    client = make_client(sandbox.base_url, breaker_fail_max=2)

    with pytest.raises(CircuitOpen):
        client.fetch_number(NUMBER_SID)

    assert sandbox.request_count(FETCH) == 2
    assert state_of(redis_client, "fetch_number").state == "open"


def test_breaker_half_opens_after_reset_timeout_and_closes_on_success(
    make_client, start_sandbox, redis_client
) -> None:
    sandbox: SandboxProcess = start_sandbox("500=1.0")
    client = make_client(sandbox.base_url, max_attempts=1, breaker_fail_max=1, breaker_reset_timeout=1)
    fail(client, 1)
    assert state_of(redis_client, "fetch_number", reset_timeout=1).state == "open"
    sandbox.set_faults("")

    wait_for_trial_call(redis_client)
    with pytest.raises(NotFound):
        client.fetch_number(NUMBER_SID)

    assert state_of(redis_client, "fetch_number").state == "closed"
    assert sandbox.request_count(FETCH) == 2


def test_failed_trial_call_opens_the_breaker_again(make_client, redis_client) -> None:
    client = make_client(refused_url(), max_attempts=1, breaker_fail_max=1, breaker_reset_timeout=1)
    fail(client, 1)
    wait_for_trial_call(redis_client)

    fail(client, 1)

    assert state_of(redis_client, "fetch_number").state == "open"


def test_redis_down_lets_calls_through_unprotected(prism: PrismServer) -> None:
    """Decision: a Redis outage falls back to a closed breaker; Twilio calls go on, failures uncounted."""
    dead_redis = redis_from_url("unix:///nonexistent/redis.sock")
    with TwilioClient(settings_for(prism.base_url, breaker_fail_max=1), dead_redis) as healthy:
        assert healthy.fetch_number(NUMBER_SID).sid.startswith("PN")
    with TwilioClient(settings_for(refused_url(), max_attempts=1, breaker_fail_max=1), dead_redis) as failing:
        fail(failing, 3)

    assert {state.state for state in breaker_states(dead_redis, reset_timeout=30)} == {"unknown"}
