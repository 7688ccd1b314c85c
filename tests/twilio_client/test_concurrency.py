"""The account-wide concurrency limit in Redis: slots, leases that expire, and the limit's adaptation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import pytest
from redis import Redis

from harness.waits import wait_until
from webapp.twilio_client import NoSlotFree, TwilioUnavailable
from webapp.twilio_client.concurrency import DECREASE_FACTOR, AccountConcurrency

ACCOUNT = "AC" + "1" * 32


def limiter(
    redis: Redis, ceiling: int = 3, lease: float = 10.0, wait: float = 0.3, **options
) -> AccountConcurrency:
    return AccountConcurrency(redis, ACCOUNT, ceiling, lease_seconds=lease, wait_seconds=wait, **options)


def redis_now(redis: Redis) -> float:
    """Redis's clock, which the scripts read."""
    seconds, microseconds = redis.time()
    return seconds + microseconds / 1_000_000


def start_at(slots: AccountConcurrency, limit: float, decreased_ago: float | None = None) -> None:
    """Put the account's limit at `limit`, last decreased `decreased_ago` seconds ago (by Redis's clock)."""
    _, limit_key, decreased_key = slots.keys
    slots.redis.set(limit_key, limit)
    if decreased_ago is not None:
        slots.redis.set(decreased_key, redis_now(slots.redis) - decreased_ago)


def answer(slots: AccountConcurrency, status: int) -> float:
    """Send one request that gets `status`; return the limit after it."""
    with slots.slot() as answered:
        answered(status)
    return slots.state().limit


def test_an_answer_grows_the_limit_by_a_tenth_of_a_slot_divided_by_the_limit(redis_client: Redis):
    slots = limiter(redis_client, ceiling=10)
    start_at(slots, 5)

    assert answer(slots, 200) == pytest.approx(5 + 0.1 / 5)
    assert answer(slots, 404) == pytest.approx(5.02 + 0.1 / 5.02), "any answer but a 429 counts"


def test_a_429_multiplies_the_limit_by_0_7_down_to_one_slot(redis_client: Redis):
    slots = limiter(redis_client, ceiling=10)
    start_at(slots, 5, decreased_ago=60)
    assert answer(slots, 429) == pytest.approx(3.5)

    start_at(slots, 1.2, decreased_ago=60)
    assert answer(slots, 429) == 1


def test_a_429_half_a_second_after_the_last_decrease_shrinks_the_limit_again(redis_client: Redis):
    slots = limiter(redis_client, ceiling=10)
    start_at(slots, 10, decreased_ago=0.6)

    assert answer(slots, 429) == pytest.approx(7)


def test_a_429_within_half_a_second_of_the_last_decrease_leaves_the_limit(redis_client: Redis):
    slots = limiter(redis_client, ceiling=10)
    start_at(slots, 10, decreased_ago=0.25)  # the margin the burst of 429s below relies on too

    assert answer(slots, 429) == 10


def test_a_slot_is_leased_for_lease_seconds_by_redis_clock(redis_client: Redis):
    slots = limiter(redis_client, ceiling=3, lease=10)
    before = redis_now(redis_client)

    with slots.slot():
        after = redis_now(redis_client)
        [(_, expiry)] = redis_client.zrange(slots.keys[0], 0, -1, withscores=True)

    assert before + 10 <= expiry <= after + 10


def test_the_limit_shrinks_from_the_setting_once_the_setting_is_lowered(redis_client: Redis):
    slots = limiter(redis_client, ceiling=2)
    start_at(slots, 10, decreased_ago=60)  # reached under a higher setting

    assert answer(slots, 429) == pytest.approx(1.4)


def test_a_lease_that_has_just_ended_is_not_counted_in_flight(redis_client: Redis):
    slots = limiter(redis_client)
    redis_client.zadd(slots.keys[0], {"ended": redis_now(redis_client) - 0.001, "held": 2**40})

    assert slots.state().in_flight == 1


def test_a_client_sending_in_a_row_keeps_its_slot_until_a_failure_or_the_end(redis_client: Redis):
    slots = limiter(redis_client, ceiling=2)
    with slots.keeping_slots():
        answer(slots, 200)
        assert slots.state().in_flight == 1, "kept for the next request"
        answer(slots, 404)
        assert slots.state().in_flight == 1
        answer(slots, 503)
        assert slots.state().in_flight == 0, "never held over a retry's backoff"
        answer(slots, 200)
        start_at(slots, 1.5)  # a 429 shrank the limit to one slot, and another request holds it
        redis_client.zadd(slots.keys[0], {"another request": 2**40})
        answer(slots, 200)
        assert slots.state().in_flight == 1, "the other request's only: the limit allows one"
    assert slots.state().in_flight == 1


def test_a_kept_slot_goes_back_when_another_request_was_refused_one(redis_client: Redis):
    slots, other = limiter(redis_client, ceiling=1), limiter(redis_client, ceiling=1, wait=0.01)
    with slots.keeping_slots():
        answer(slots, 200)
        with pytest.raises(NoSlotFree), other.slot():
            pass

        answer(slots, 200)

        assert slots.state().in_flight == 0, "given back to the request waiting"


def test_a_fractional_limit_is_rounded_down_to_whole_slots(redis_client: Redis):
    slots = limiter(redis_client, ceiling=10, wait=0)
    start_at(slots, 2.9)

    with slots.slot(), slots.slot():
        with pytest.raises(TwilioUnavailable, match="No Twilio request slot"), slots.slot():
            pass
        assert slots.state().in_flight == 2


def test_waiting_for_a_slot_polls_less_and_less_often_down_to_every_twentieth_of_a_second(
    redis_client: Redis,
):
    waits: list[float] = []
    holder: list[AbstractContextManager] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 10:
            holder.pop().__exit__(None, None, None)  # the request holding the only slot ends

    slots = limiter(redis_client, ceiling=1, wait=5, sleep=sleep)
    holder.append(slots.slot())
    holder[0].__enter__()
    with slots.slot():
        pass

    pauses = [min(0.002 * 2**n, 0.05) for n in range(10)]  # each jittered by x0.5 to x1.5
    assert all(0.5 * pause <= wait <= 1.5 * pause for wait, pause in zip(waits, pauses, strict=True)), waits


def test_a_ceiling_below_one_slot_is_refused(redis_client: Redis):
    with pytest.raises(ValueError, match="at least 1"):
        limiter(redis_client, ceiling=0)


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
    wait_until(lambda: slots.state().in_flight == 0, timeout=5, what="the dashboard to stop counting it")
    with slots.slot():
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
