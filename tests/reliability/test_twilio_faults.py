"""Twilio misbehaving, down, and a worker killed mid-purchase: real workers, Redis and the sandbox.

- Under a mix of 500s, 429s, timeouts, resets and dropped purchase answers, 200 provisions by 2 workers end
  with one number each or a failed Activity saying why, and Twilio holds exactly the numbers recorded.
- With Twilio answering 503 to everything, each breaker opens after `BREAKER_FAIL_MAX` failures and the
  sandbox's request counts prove nothing more is sent while it is open; once Twilio is back and the reset
  timeout has passed, the queued provisions complete.

A worker SIGKILLed while its purchase is in flight is tests/jobs/test_worker_death.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis import Redis
from rq import Worker
from rq.worker import WorkerStatus

from harness.sandbox import SandboxProcess
from harness.waits import wait_until, wait_until_nothing_in_flight
from harness.workers import FAST_JOB_SETTINGS, WorkerProcess, sandbox_settings
from tests.factories import make_business
from tests.jobs.helpers import activities, check_one_number_each_or_failed_with_a_reason, numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityStatus
from webapp.twilio_client import CircuitOpen, TwilioClient, TwilioUnavailable, breaker_states, get_client
from webapp.twilio_client.breakers import OPERATIONS, BreakerState, breaker_name
from webapp.twilio_client.configuration import NumberConfiguration

PURCHASE = "POST /IncomingPhoneNumbers.json"
AREA_CODES = ("206", "212", "303", "312", "415", "510", "617", None)
VOICE_URL = "http://localhost:3000/voice"
NUMBER_SID = "PN" + "1a" * 16
CALL_SID = "CA" + "2b" * 16
ALERT_SID = "NO" + "3c" * 16
SINCE = datetime(2026, 1, 2, tzinfo=UTC)
FAIL_MAX = 3
RESET_TIMEOUT = 12
"""Long enough that the queued jobs come back while the breaker is open (RQ retries them every second, each
in a new work-horse), also on a CI machine running four test processes (5 s was missed there)."""


@pytest.fixture
def app_settings(app_settings: dict[str, Any], sandbox: SandboxProcess) -> dict[str, Any]:
    """Pointed at this test's sandbox, with fast retries, and a half-second read timeout: each `timeout`
    fault (about a hundred in the 200 provisions) then costs half a second, not five."""
    return {**app_settings, **sandbox_settings(sandbox), **FAST_JOB_SETTINGS, "TWILIO_READ_TIMEOUT": "0.5"}


def total_requests(sandbox: SandboxProcess) -> int:
    """Every Twilio request the sandbox received since its counts were last reset."""
    return sum(sandbox.request_counts().values())


# Two to four minutes. It passes on SQLite too (three runs of three on 2026-12-06, since a provision that
# gives up looks for its lost purchase), but CI runs it once; tests/jobs/test_faults.py runs fifty on both.
@pytest.mark.once_in_ci
def test_two_hundred_provisions_under_every_fault_end_one_number_each_or_failed_with_a_reason(
    app, sandbox, start_worker
):
    sandbox.set_faults("500=0.3,429=0.1,timeout=0.05,reset=0.05,drop=0.05,hang=1", seed=7)
    businesses = [make_business(preferred_area_code=AREA_CODES[i % len(AREA_CODES)]) for i in range(200)]
    for business in businesses:
        enqueue_provision(business, None)
    for _ in range(2):
        start_worker()

    wait_until_nothing_in_flight(timeout=240)  # about 100 s on a quiet machine; 150 s ran out under load

    counts = check_one_number_each_or_failed_with_a_reason(businesses, sandbox)
    print(f"{counts['succeeded']}/200 provisioned, {counts['adopted']} adopted, {counts['retried']} retried")
    assert counts["succeeded"] >= 180
    assert counts["retried"] > 0, "no job needed an RQ retry: the faults did not reach the jobs"


def calls_of(client: TwilioClient) -> dict[str, Callable[[], object]]:
    """One valid call of every client operation, by operation."""
    return {
        "search_available_numbers": lambda: client.search_available_numbers(area_code="415"),
        "purchase_number": lambda: client.purchase_number(
            "+14155550100", "switchboard:breaker", NumberConfiguration(VOICE_URL)
        ),
        "provision_number": lambda: client.provision_number(
            "415", friendly_name="switchboard:breaker", configuration=NumberConfiguration(VOICE_URL)
        ),
        "update_number_webhook": lambda: client.update_number_webhook(
            NUMBER_SID, NumberConfiguration(VOICE_URL)
        ),
        "fetch_number": lambda: client.fetch_number(NUMBER_SID),
        "find_numbers": lambda: client.find_numbers(friendly_name="switchboard:breaker"),
        "list_numbers": lambda: client.list_numbers(),
        "release_number": lambda: client.release_number(NUMBER_SID),
        "update_friendly_name": lambda: client.update_friendly_name(NUMBER_SID, "switchboard:breaker"),
        "fetch_number_prices": lambda: client.fetch_number_prices("US"),
        "make_call": lambda: client.make_call("+14155550100", "+14155550101", VOICE_URL),
        "get_call": lambda: client.get_call(CALL_SID),
        "list_alerts": lambda: client.list_alerts(since=SINCE),
        "fetch_alert": lambda: client.fetch_alert(ALERT_SID),
        "list_events": lambda: client.list_events(NUMBER_SID, since=SINCE),
        "list_calls": lambda: client.list_calls(to="+14155550100"),
        "list_messages": lambda: client.list_messages("+14155550100"),
        "list_call_events": lambda: client.list_call_events(CALL_SID),
        "create_address": lambda: client.create_emergency_address(
            "switchboard:acme", "Acme", "1 Main St", "Springfield", "IL", "62701"
        ),
        "find_addresses": lambda: client.find_addresses("switchboard:acme"),
        "set_emergency_address": lambda: client.remove_emergency_address(NUMBER_SID),
    }


@pytest.mark.parametrize("operation", OPERATIONS)
def test_with_twilio_down_each_breaker_opens_after_fail_max_and_then_sends_nothing(
    make_app, sandbox, redis_client, operation
):
    make_app(BREAKER_FAIL_MAX=str(FAIL_MAX), BREAKER_RESET_TIMEOUT="30", TWILIO_MAX_ATTEMPTS="1")
    call = calls_of(get_client())[operation]
    sandbox.set_faults("503=1.0")

    failures = 0
    while True:
        try:
            call()
        except CircuitOpen as error:
            if error.breaker_name == breaker_name(operation):
                break
        except TwilioUnavailable:
            failures += 1
        assert failures <= FAIL_MAX, f"{operation} still sends after {failures} failures"
    sent = total_requests(sandbox)
    for _ in range(5):
        with pytest.raises(CircuitOpen):
            call()

    assert failures == FAIL_MAX
    assert total_requests(sandbox) == sent, "a request was sent while the breaker was open"
    states = {state.name: state.state for state in breaker_states(redis_client, reset_timeout=30)}
    assert states[breaker_name(operation)] == "open"


def seen_idle(redis: Redis, workers: list[WorkerProcess]) -> Callable[[], bool]:
    """Return a condition true once each worker has been seen idle (between jobs) since it was made."""
    waiting = {worker.name for worker in workers}

    def all_seen() -> bool:
        for worker in Worker.all(connection=redis):
            if worker.name in waiting and worker.get_state() == WorkerStatus.IDLE:
                waiting.discard(worker.name)
        return not waiting

    return all_seen


def test_with_twilio_down_queued_provisions_wait_behind_the_open_breaker_and_complete_after_recovery(
    make_app, sandbox, redis_client, start_worker
):
    make_app(
        BREAKER_FAIL_MAX=str(FAIL_MAX),
        BREAKER_RESET_TIMEOUT=str(RESET_TIMEOUT),
        JOB_RETRY_INTERVALS=",".join(["1"] * 20),
    )
    sandbox.set_faults("503=1.0")
    businesses = [make_business(preferred_area_code="415") for _ in range(4)]
    for business in businesses:
        enqueue_provision(business, None)
    workers = [start_worker() for _ in range(2)]
    find = breaker_name("find_numbers")

    def breaker() -> BreakerState:
        return next(s for s in breaker_states(redis_client, reset_timeout=RESET_TIMEOUT) if s.name == find)

    wait_until(lambda: breaker().state == "open", 20, f"{find} to open")
    attempts = sum(activity.attempts for activity in activities())  # any attempt after this ran while open
    # pybreaker's lock is per process: each worker may have had one request in flight as the count
    # reached fail_max (LIBRARY-NOTES). A worker seen idle since has finished that job: its request landed.
    wait_until(seen_idle(redis_client, workers), 20, "each worker to finish the job it had when it opened")
    sent = total_requests(sandbox)
    assert FAIL_MAX <= sent <= FAIL_MAX + len(workers), sandbox.request_counts()

    # While it is open, the jobs keep coming back (RQ retries every second) and send nothing. It opened
    # when Redis says (kept in whole seconds, so it may half-open up to a second early), not when we saw it.
    half_open_soonest = breaker().retry_at - timedelta(seconds=1.2)
    while datetime.now(UTC) < half_open_soonest:
        assert breaker().state == "open"
        assert total_requests(sandbox) == sent, f"a request went out while open: {sandbox.request_counts()}"
        time.sleep(0.1)
    assert sum(activity.attempts for activity in activities()) > attempts, "no job ran while it was open"

    sandbox.set_faults("")
    wait_until_nothing_in_flight(timeout=60)

    assert [activity.status for activity in activities()] == [ActivityStatus.SUCCEEDED] * len(businesses)
    for business in businesses:
        assert len(numbers_of(business.id)) == 1
    assert sandbox.owned_count() == len(businesses)
    assert breaker().state == "closed"
