"""The account-wide concurrency limit across real workers: never exceeded, no slot leaked, 429s absorbed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from harness.waits import wait_for_activity, wait_until
from tests.factories import make_business
from tests.fixtures.sandbox import SandboxProcess
from tests.jobs.helpers import ELSEWHERE, buy_at_sandbox, record
from webapp.jobs.enqueue.bulk import enqueue_bulk_resync
from webapp.models import ActivityStatus, PhoneNumber
from webapp.twilio_client import concurrency_state, get_client

# The limit lives in Redis and the sandbox, the database only records: the same on either database.
pytestmark = pytest.mark.once_in_ci

LIMIT = 5

AREA_CODES = ("415", "212", "303")
"""Where the numbers are bought: the sandbox sells 50 per area code."""


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    """The jobs tests' settings with an account-wide limit of `LIMIT` (the workers get it too)."""
    return {**app_settings, "TWILIO_MAX_CONCURRENCY": str(LIMIT)}


def drifted_numbers(how_many: int) -> list[PhoneNumber]:
    """Buy and record `how_many` numbers whose webhook drifted."""
    numbers = []
    for i in range(how_many):
        business = make_business()
        bought = buy_at_sandbox(business, AREA_CODES[i % len(AREA_CODES)], voice_url=ELSEWHERE)
        numbers.append(record(business, bought, webhook_status="drifted"))
    return numbers


def resync_all(numbers: list[PhoneNumber], timeout: float = 120) -> set[ActivityStatus]:
    """Re-sync the numbers in batches over the live workers; return how their Activities ended."""
    started = enqueue_bulk_resync(numbers, None).started
    return {wait_for_activity(activity_id, timeout=timeout).status for activity_id in started}


def test_four_workers_and_the_console_never_exceed_the_account_limit(
    sandbox: SandboxProcess, app, start_worker
):
    numbers = drifted_numbers(40)
    for _ in range(4):
        start_worker()
    sandbox.set_faults(latency_ms=150)
    sandbox.reset_stats()

    def fetch(sid: str) -> str:
        with app.app_context():
            return get_client().fetch_number(sid).sid

    with ThreadPoolExecutor(8) as pool:  # the console's process sends requests of its own meanwhile
        fetches = [pool.submit(fetch, n.twilio_sid) for n in numbers * 2]
        outcomes = resync_all(numbers)
        fetched = [future.result() for future in fetches]

    assert outcomes == {ActivityStatus.SUCCEEDED}
    assert len(fetched) == 80
    stats = sandbox.stats()
    assert stats["max_in_flight"] == LIMIT, f"12 senders, at most {LIMIT} at once: {stats}"
    assert stats["429s"] == 0
    # A leaked slot stays until its lease ends (9 s here); one given back a moment late does not.
    wait_until(lambda: concurrency_state().in_flight == 0, timeout=2, what="every slot given back")


def test_a_killed_worker_s_slots_come_back_within_the_lease(sandbox: SandboxProcess, app, start_worker):
    numbers = drifted_numbers(3)
    worker = start_worker()
    sandbox.set_faults(latency_ms=3000)  # within the tests' 5 s read timeout
    lease = get_client().concurrency.lease_seconds
    enqueue_bulk_resync(numbers, None)
    wait_until(lambda: concurrency_state().in_flight >= 1, 30, "the worker holds a slot")

    worker.kill()
    killed_at = time.monotonic()

    assert concurrency_state().in_flight >= 1, "the dead worker's slot is still leased"
    wait_until(lambda: concurrency_state().in_flight == 0, lease + 2, "the lease ran out")
    assert time.monotonic() - killed_at <= lease + 2


def test_a_429_storm_fails_nothing_and_the_limit_adapts(sandbox: SandboxProcess, app, start_worker):
    numbers = drifted_numbers(60)
    for _ in range(4):
        start_worker()
    sandbox.set_faults(latency_ms=100, max_concurrency=3)  # Twilio allows fewer than our setting
    sandbox.reset_stats()

    outcomes = resync_all(numbers)

    assert outcomes == {ActivityStatus.SUCCEEDED}
    stats = sandbox.stats()
    assert stats["429s"] >= 1, stats
    assert stats["max_in_flight"] <= 3
    assert concurrency_state().limit < LIMIT, "the 429s lowered the limit"
    assert stats["429s"] < stats["requests"] / 4, f"the lowered limit avoids most 429s: {stats}"
