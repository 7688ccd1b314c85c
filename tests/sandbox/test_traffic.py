"""The sandbox's traffic statistics and concurrency cap: what it saw, and 429s beyond the cap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from click.testing import CliRunner

from tests.fixtures.sandbox import SandboxProcess
from tests.sandbox.helpers import ERROR_KEYS, api_request
from webapp.sandbox.cli import twilio_sandbox_command

LIST = "/IncomingPhoneNumbers.json"


def concurrent_lists(box: SandboxProcess, count: int) -> list[requests.Response]:
    """Send `count` list requests at once (released together by a barrier); return the answers."""
    barrier = threading.Barrier(count)

    def one(_: int) -> requests.Response:
        barrier.wait()
        return api_request(box, "GET", LIST, timeout=30)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrent_requests_wait_out_their_latency_side_by_side(start_sandbox):
    box = start_sandbox(latency_ms=1000)

    started = time.monotonic()
    answers = concurrent_lists(box, 30)
    elapsed = time.monotonic() - started

    assert [answer.status_code for answer in answers] == [200] * 30
    assert elapsed < 5, "30 requests of 1 s each must overlap, not queue"
    assert box.stats() == {
        "requests": 30,
        "max_in_flight": 30,
        "429s": 0,
        "callbacks_sent": 0,
        "callbacks_failed": 0,
    }


def test_requests_beyond_the_cap_get_twilios_429(start_sandbox):
    box = start_sandbox(latency_ms=2000, max_concurrency=5)

    answers = concurrent_lists(box, 15)

    refused = [answer for answer in answers if answer.status_code == 429]
    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [429] * 10
    assert all(set(answer.json()) == ERROR_KEYS for answer in refused)
    assert {answer.json()["code"] for answer in refused} == {20429}
    assert box.stats() == {
        "requests": 15,
        "max_in_flight": 5,
        "429s": 10,
        "callbacks_sent": 0,
        "callbacks_failed": 0,
    }


def test_stats_reset_and_count_injected_429s(start_sandbox):
    box = start_sandbox(faults="429=1")
    api_request(box, "GET", LIST)
    api_request(box, "GET", LIST)
    assert box.stats() == {
        "requests": 2,
        "max_in_flight": 1,
        "429s": 2,
        "callbacks_sent": 0,
        "callbacks_failed": 0,
    }

    box.reset_stats()

    assert box.stats() == {
        "requests": 0,
        "max_in_flight": 0,
        "429s": 0,
        "callbacks_sent": 0,
        "callbacks_failed": 0,
    }
    assert box.request_counts() == {f"GET {LIST}": 2}, "the per-path counts are kept apart"


def test_cap_changes_at_run_time(sandbox: SandboxProcess):
    assert sandbox.set_faults(max_concurrency=3)["max_concurrency"] == 3
    assert sandbox.set_faults(latency_ms=1500)["max_concurrency"] == 3

    answers = concurrent_lists(sandbox, 6)

    assert sorted(answer.status_code for answer in answers) == [200] * 3 + [429] * 3
    sandbox.set_faults(max_concurrency=0, latency_ms=0)
    assert [answer.status_code for answer in concurrent_lists(sandbox, 6)] == [200] * 6


def test_control_api_refuses_a_bad_cap(sandbox: SandboxProcess):
    answer = requests.put(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"max_concurrency": -1},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    )

    assert answer.status_code == 400
    assert "max_concurrency must be a whole number from 0 to 10000" in answer.json()["message"]
    assert sandbox.set_faults()["max_concurrency"] == 0


def test_cli_refuses_a_negative_cap():
    result = CliRunner().invoke(twilio_sandbox_command, ["--max-concurrency", "-1"])

    assert result.exit_code == 2
    assert "--max-concurrency" in result.output
