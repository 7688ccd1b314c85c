"""The account-wide concurrency limit in Redis: slots, leases that expire, and the limit's adaptation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from redis import Redis

from webapp.twilio_client import TwilioUnavailable
from webapp.twilio_client.concurrency import DECREASE_FACTOR, AccountConcurrency

ACCOUNT = "AC" + "1" * 32


def limiter(redis: Redis, ceiling: int = 3, lease: float = 10.0, wait: float = 0.3) -> AccountConcurrency:
    return AccountConcurrency(redis, ACCOUNT, ceiling, lease_seconds=lease, wait_seconds=wait)


def test_no_more_slots_than_the_ceiling_are_held_across_clients(redis_client: Redis):
    clients = [limiter(redis_client, wait=10) for _ in range(3)]  # as if in three processes
    held, most, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def request(slots: AccountConcurrency) -> None:
        with slots.slot() as answered:
            with lock:
                held[0] += 1
                most[0] = max(most[0], held[0])
            release.wait(0.05)
            with lock:
                held[0] -= 1
            answered(200)

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda i: request(clients[i % 3]), range(60)))

    assert most[0] == 3
    assert clients[0].state().in_flight == 0


def test_a_request_waits_for_a_slot_then_gives_up_with_nothing_sent(redis_client: Redis):
    slots = limiter(redis_client, ceiling=1)
    held = slots.slot()
    held.__enter__()
    with pytest.raises(TwilioUnavailable, match="No Twilio request slot came free") as raised, slots.slot():
        pass
    held.__exit__(None, None, None)

    assert raised.value.ambiguous is False
    with slots.slot():
        assert slots.state().in_flight == 1


def test_a_slot_whose_holder_died_comes_back_when_its_lease_ends(redis_client: Redis):
    slots = limiter(redis_client, ceiling=1, lease=0.5, wait=5)
    slots._take()  # taken and never given back: its process was killed

    assert slots.state().in_flight == 1
    with slots.slot():  # waits out the lease
        assert slots.state().in_flight == 1
    assert slots.state().in_flight == 0


def test_429_shrinks_the_limit_once_per_interval_and_successes_grow_it_back(redis_client: Redis):
    slots = limiter(redis_client, ceiling=10)
    for _ in range(5):  # a burst of 429s from requests sent together: one decrease
        with slots.slot() as answered:
            answered(429)

    assert slots.state().limit == pytest.approx(10 * DECREASE_FACTOR)

    for _ in range(1000):
        with slots.slot() as answered:
            answered(200)
    assert slots.state().limit == 10, "never above the setting"


def test_a_lost_answer_leaves_the_limit_alone(redis_client: Redis):
    slots = limiter(redis_client, ceiling=4)
    with slots.slot() as answered:
        answered(429)
    shrunk = slots.state().limit

    with pytest.raises(ConnectionError), slots.slot():
        raise ConnectionError("reset")

    assert slots.state() == type(slots.state())(0, shrunk, 4)


def test_a_lowered_setting_takes_effect_at_once(redis_client: Redis):
    with limiter(redis_client, ceiling=10).slot() as answered:
        answered(200)

    lowered = limiter(redis_client, ceiling=2)

    assert lowered.state().limit == 2
    with lowered.slot(), lowered.slot(), pytest.raises(TwilioUnavailable), lowered.slot():
        pass


def test_redis_down_lets_the_request_go_without_a_slot(caplog: pytest.LogCaptureFixture):
    broken = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    sent = []

    with limiter(broken).slot() as answered:
        sent.append(True)
        answered(200)

    assert sent == [True]
    assert "goes out without a slot" in caplog.text
