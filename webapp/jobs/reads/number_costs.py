"""Twilio's monthly price of a number, by kind (Pricing API), kept in Redis by a job; pages never wait on
Twilio for it.

A recurring job (`number_prices`, every `REFRESH_SECONDS`) reads the prices through the client (breakers,
retries) and keeps them for `PRICES_TTL_SECONDS`, longer than the interval, so they never lapse while a
worker runs. A page that finds none asks for a read (`request_prices`: one job, however many pages ask)
and says the prices are being read; a read that fails is remembered for `UNREADABLE_SECONDS`, during
which pages say the prices could not be read and ask again only after it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import cast

from redis.exceptions import RedisError

from webapp.jobs.enqueue.queue import get_queue
from webapp.redis_connection import get_redis
from webapp.twilio_client import ApiError, get_client

logger = logging.getLogger(__name__)

PRICES_KEY = "switchboard:pricing:phone-numbers:US"
REQUESTED_KEY = "switchboard:pricing:requested"
UNREADABLE_KEY = "switchboard:pricing:unreadable"

REFRESH_SECONDS = 12 * 3600
"""How often the recurring job reads Twilio's number prices again."""

PRICES_TTL_SECONDS = 36 * 3600
"""How long read prices are kept: longer than `REFRESH_SECONDS`, so a failed read leaves the last ones."""

UNREADABLE_SECONDS = 300
"""How long after a failed read pages say so, before one of them asks again."""

READ_FUNCTION = "webapp.jobs.reads.number_costs.read_prices"
"""The recurring entry's function (it runs in the jobs' app already)."""

READ_JOB = "webapp.jobs.tasks.scheduled.read_prices_job"
"""The job `request_prices` enqueues."""

TOLL_FREE_AREA_CODES = ("800", "833", "844", "855", "866", "877", "888")
"""Area codes whose numbers Twilio prices as toll-free; every other recorded number is priced as local."""


class PricesState(StrEnum):
    """Why no prices are known."""

    READING = "reading"
    UNREADABLE = "unreadable"


def monthly_prices() -> tuple[dict[str, Decimal], str] | PricesState:
    """Return the kept monthly price per number type and the currency; when none are kept, ask for a read
    and return whether one is under way or the last one failed. Never calls Twilio."""
    redis = get_redis()
    try:
        # redis-py types every answer as maybe awaitable, for its asyncio client too
        kept = cast("bytes | None", redis.get(PRICES_KEY))
        if kept:
            saved = json.loads(kept)
            return {kind: Decimal(price) for kind, price in saved["monthly"].items()}, saved["currency"]
        if redis.exists(UNREADABLE_KEY):
            return PricesState.UNREADABLE
        request_prices()
    except RedisError as error:
        logger.warning("Could not read the kept number prices: %s", error)
        return PricesState.UNREADABLE
    return PricesState.READING


def request_prices() -> None:
    """Enqueue a read of Twilio's prices, unless one was asked for in the last minute.

    Raises:
        redis.exceptions.RedisError: Redis did not answer.
    """
    if get_redis().set(REQUESTED_KEY, "1", nx=True, ex=60):
        get_queue().enqueue_call(READ_JOB, timeout=120, result_ttl=0, description="read number prices")


def read_prices() -> None:
    """Job (and recurring entry): read Twilio's number prices and keep them; remember a failure."""
    redis = get_redis()
    try:
        prices = get_client().fetch_number_prices("US")
    except ApiError as error:
        logger.warning("Could not read Twilio's number prices: %s", error)
        redis.set(UNREADABLE_KEY, str(error), ex=UNREADABLE_SECONDS)
        redis.delete(REQUESTED_KEY)
        return
    saved = {"monthly": {k: str(v) for k, v in prices.monthly.items()}, "currency": prices.price_unit}
    redis.set(PRICES_KEY, json.dumps(saved), ex=PRICES_TTL_SECONDS)
    redis.delete(UNREADABLE_KEY, REQUESTED_KEY)


def number_kind(area_code: str) -> str:
    """The Pricing API's number type of a recorded number: toll free by its area code, else local."""
    return "toll free" if area_code in TOLL_FREE_AREA_CODES else "local"


@dataclass(frozen=True)
class MonthlyCost:
    """What some numbers cost a month; `monthly` None when a price is unknown (`prices` says why, when
    Twilio's prices are being read or could not be)."""

    monthly: Decimal | None
    currency: str
    prices: PricesState | None = None


def monthly_cost(counts_by_kind: dict[str, int]) -> MonthlyCost:
    """Price numbers counted by kind (`number_kind`) with the kept prices; never calls Twilio."""
    counts = {kind: count for kind, count in counts_by_kind.items() if count}
    priced = monthly_prices() if counts else ({}, "USD")
    if isinstance(priced, PricesState):
        return MonthlyCost(None, "USD", priced)
    prices, currency = priced
    if any(kind not in prices for kind in counts):
        return MonthlyCost(None, currency)
    return MonthlyCost(sum((prices[kind] * n for kind, n in counts.items()), Decimal(0)), currency)
