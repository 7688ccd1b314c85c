"""One concurrency limit for the whole Twilio account, shared in Redis by every process that sends requests.

Twilio limits concurrent requests per account (429, error 20429, beyond it), not per process. Each request
holds a slot while it is on the wire: a lease id in a sorted set scored by the lease's expiry, so a process
killed while holding slots leaks none of them past the lease. A Lua script drops expired leases and takes a
slot only while fewer are held than the current limit; another gives the slot back and adapts the limit:
a 429 shrinks it (multiplicative decrease, at most once per `DECREASE_INTERVAL`, never below one slot, so
a request can always go out), every other answer grows it back by `INCREASE_STEP / limit` (a slot per ten
rounds of requests), never above `TWILIO_MAX_CONCURRENCY`. A client sending many requests in a row
(`keeping_slots`) gives a slot back and takes it again in that one script, unless another request was
refused a slot within the last `WAITING_SECONDS`.

Times are Redis's own (`TIME`), so the processes' clocks need not agree. A Redis that restarts empty starts
again with no slots held and the limit at the setting. While Redis does not answer, requests go out without
a slot, as they go through a closed breaker (the project's choice: an outage of Redis does not stop Twilio
work; Twilio's 429s are still retried).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from redis import Redis
from redis.exceptions import RedisError

from webapp.twilio_client.errors import NoSlotFree

logger = logging.getLogger(__name__)

DECREASE_FACTOR = 0.7
"""A 429 multiplies the limit by this."""

DECREASE_INTERVAL = 0.5
"""Seconds after a decrease during which further 429s (answers to requests already sent) do not shrink it."""

INCREASE_STEP = 0.1
"""Slots the limit grows by per round of `limit` answered requests: slowly, so that a limit found by a 429
is probed again only now and then (few 429s), yet regained within seconds once Twilio allows more."""

POLL_SECONDS = (0.002, 0.05)
"""The shortest and longest pause between attempts to take a slot (it doubles while none is free)."""

WAITING_SECONDS = 2 * POLL_SECONDS[1]
"""After a request is refused a slot, how long a client keeping its slot gives it back instead (longer than
the refused request's longest pause before it asks again), so that kept slots never starve others."""

ACQUIRE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ceiling = tonumber(ARGV[1])
local limit = math.min(tonumber(redis.call('GET', KEYS[2]) or ceiling), ceiling)
if redis.call('ZCARD', KEYS[1]) < math.floor(limit) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
    return 1
end
redis.call('SET', KEYS[3], tostring(now + tonumber(ARGV[4])), 'EX', 60)
return 0
"""
"""KEYS: slots, limit, waiting. ARGV: ceiling, lease seconds, lease id, how long a refused request counts
as waiting. Returns 1 when the slot was taken; a refusal notes until when someone waits."""

RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
local ceiling = tonumber(ARGV[2])
local limit = math.min(tonumber(redis.call('GET', KEYS[2]) or ceiling), ceiling)
if ARGV[3] == 'throttled' then
    local now = redis.call('TIME')
    now = tonumber(now[1]) + tonumber(now[2]) / 1000000
    if now - tonumber(redis.call('GET', KEYS[3]) or 0) >= tonumber(ARGV[5]) then
        limit = math.max(1, limit * tonumber(ARGV[4]))
        redis.call('SET', KEYS[3], tostring(now))
    end
elseif ARGV[3] == 'answered' then
    limit = math.min(ceiling, limit + tonumber(ARGV[6]) / limit)
end
redis.call('SET', KEYS[2], tostring(limit))
if ARGV[7] == '1' then
    local now = redis.call('TIME')
    now = tonumber(now[1]) + tonumber(now[2]) / 1000000
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    local waiting = now < tonumber(redis.call('GET', KEYS[4]) or 0)
    if not waiting and redis.call('ZCARD', KEYS[1]) < math.floor(limit) then
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[8]), ARGV[1])
        return {tostring(limit), 1}
    end
end
return {tostring(limit), 0}
"""
"""KEYS: slots, limit, last decrease, waiting. ARGV: lease id, ceiling, outcome (`throttled`, `answered`
or `lost`: no answer, the limit stays), decrease factor, decrease interval, increase step, keep (`1`: take
the slot again at once, as `ACQUIRE` would, for the same client's next request, unless another request
was refused a slot just now), lease seconds. Returns the new limit and 1 when the slot was kept."""


@dataclass(frozen=True)
class ConcurrencyState:
    """What the dashboard shows: requests holding a slot now, the current limit and the setting."""

    in_flight: int
    limit: float
    ceiling: int


class AccountConcurrency:
    """The account's request slots in Redis (see the module docstring).

    Args:
        redis: shared by every process sending requests for the account.
        account_sid: names the keys, so two accounts on one Redis do not share a limit.
        ceiling: `TWILIO_MAX_CONCURRENCY`, the most slots ever held at once.
        lease_seconds: how long a slot is held at most (longer than any request may take).
        wait_seconds: how long `slot()` waits for a free slot before giving up.
    """

    def __init__(
        self,
        redis: Redis,
        account_sid: str,
        ceiling: int,
        *,
        lease_seconds: float,
        wait_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if ceiling < 1:
            raise ValueError(f"The concurrency ceiling must be at least 1, got {ceiling}.")
        self.redis = redis
        self.ceiling = ceiling
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        self._sleep = sleep
        self._keeping = False
        self._kept: str | None = None
        prefix = f"switchboard:twilio-concurrency:{account_sid}"
        self.keys = (f"{prefix}:slots", f"{prefix}:limit", f"{prefix}:decreased-at")
        self.waiting_key = f"{prefix}:waiting-until"
        self._acquire = redis.register_script(ACQUIRE)
        self._release = redis.register_script(RELEASE)

    @contextmanager
    def slot(self) -> Iterator[Callable[[int | None], None]]:
        """Hold one slot for the block; it yields `answered(status)`, to call with the HTTP status of the
        answer (None when none came) so that the slot's release adapts the limit.

        Inside `keeping_slots`, a slot whose request was answered below 500 is kept for the next one.

        Raises:
            NoSlotFree: no slot came free within `wait_seconds`; nothing was sent.
        """
        lease, self._kept = self._kept or self._take(), None
        status: list[int | None] = [None]

        def answered(answer: int | None) -> None:
            status[0] = answer

        try:
            yield answered
        finally:
            outcome = "lost" if status[0] is None else "throttled" if status[0] == 429 else "answered"
            keep = self._keeping and status[0] is not None and status[0] < 500 and outcome == "answered"
            self._kept = self._give_back(lease, outcome, keep=keep)

    @contextmanager
    def keeping_slots(self) -> Iterator[None]:
        """Inside the block, a request's slot is taken again for the next one in the same Redis round trip
        that gives it back (while the limit allows), so requests sent one after another cost one round trip
        each rather than two; the slot goes back when the block ends. For a client that sends many requests
        in a row (a batch's thread); a failed request's slot goes back at once, never held over a backoff.
        """
        self._keeping = True
        try:
            yield
        finally:
            self._keeping = False
            lease, self._kept = self._kept, None
            self._give_back(lease, "lost")

    def state(self) -> ConcurrencyState:
        """Return the slots held now (unexpired leases) and the current limit."""
        slots, limit, _ = self.keys
        # redis-py types every answer as maybe awaitable, for its asyncio client too
        seconds, microseconds = cast("tuple[int, int]", self.redis.time())
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcount(slots, seconds + microseconds / 1_000_000, "+inf")
            pipe.get(limit)
            in_flight, current = pipe.execute()
        return ConcurrencyState(
            in_flight, min(float(current), self.ceiling) if current else float(self.ceiling), self.ceiling
        )

    def _take(self) -> str | None:
        lease = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_seconds
        pause = POLL_SECONDS[0]
        while True:
            try:
                keys = [*self.keys[:2], self.waiting_key]
                if self._acquire(keys=keys, args=[self.ceiling, self.lease_seconds, lease, WAITING_SECONDS]):
                    return lease
            except RedisError as error:
                logger.warning("Redis did not answer (%s): a Twilio request goes out without a slot", error)
                return None
            if time.monotonic() >= deadline:
                raise NoSlotFree(
                    f"No Twilio request slot came free within {self.wait_seconds:g} s "
                    f"(the account's limit is {self.ceiling} at once); nothing was sent."
                )
            self._sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, POLL_SECONDS[1])

    def _give_back(self, lease: str | None, outcome: str, *, keep: bool = False) -> str | None:
        """Give the slot back, adapting the limit to `outcome`; with `keep`, take it again if the limit
        allows. Returns the lease when it was kept."""
        if lease is None:
            return None
        args: list[str | float] = [lease, self.ceiling, outcome, DECREASE_FACTOR, DECREASE_INTERVAL]
        args += [INCREASE_STEP, int(keep), self.lease_seconds]
        try:
            limit, kept = self._release(keys=[*self.keys, self.waiting_key], args=args)
        except RedisError as error:  # the lease expires on its own
            logger.warning("Could not give back a Twilio request slot (%s); its lease expires", error)
            return None
        if outcome == "throttled":
            logger.info("Twilio answered 429: the account's concurrency limit is now %s", float(limit))
        return lease if kept else None
