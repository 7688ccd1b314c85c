"""What the numbers of cancelled businesses cost a month, at Twilio's prices (Pricing API, cached a day).

A read for the dashboard: the prices come through the client (breakers, retries) once a day and are kept
in Redis; when Twilio cannot be asked, the cost is unknown (None), and the count is still shown.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from redis.exceptions import RedisError
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Business, BusinessStatus, PhoneNumber
from webapp.redis_connection import get_redis
from webapp.twilio_client import ApiError, get_client

logger = logging.getLogger(__name__)

PRICES_KEY = "switchboard:pricing:phone-numbers:US"
PRICES_TTL_SECONDS = 24 * 3600
"""How long Twilio's number prices are kept before they are asked again."""

TOLL_FREE_AREA_CODES = ("800", "833", "844", "855", "866", "877", "888")
"""Area codes whose numbers Twilio prices as toll-free; every other recorded number is priced as local."""


@dataclass(frozen=True)
class CancelledCost:
    """How many numbers cancelled businesses hold, and their monthly cost (None: prices unknown)."""

    numbers: int
    monthly: Decimal | None
    currency: str


def monthly_prices() -> tuple[dict[str, Decimal], str] | None:
    """Return Twilio's monthly price per number type and the currency, from Redis or Twilio; None when
    neither answers."""
    try:
        cached = get_redis().get(PRICES_KEY)
    except RedisError:
        cached = None
    if cached:
        saved = json.loads(cached)
        return {kind: Decimal(price) for kind, price in saved["monthly"].items()}, saved["currency"]
    try:
        prices = get_client().fetch_number_prices("US")
    except ApiError as error:
        logger.warning("Could not read Twilio's number prices: %s", error)
        return None
    saved = {"monthly": {k: str(v) for k, v in prices.monthly.items()}, "currency": prices.price_unit}
    try:
        get_redis().set(PRICES_KEY, json.dumps(saved), ex=PRICES_TTL_SECONDS)
    except RedisError:
        logger.warning("Could not cache Twilio's number prices")
    return prices.monthly, prices.price_unit


def cancelled_cost() -> CancelledCost:
    """Count the numbers of cancelled businesses by kind and price them."""
    toll_free = PhoneNumber.area_code.in_(TOLL_FREE_AREA_CODES)
    rows = db.session.execute(
        select(toll_free, func.count())
        .select_from(PhoneNumber)
        .join(Business, PhoneNumber.business_id == Business.id)
        .where(Business.status == BusinessStatus.CANCELLED)
        .group_by(toll_free)
    ).all()
    counts = {"toll free" if is_toll_free else "local": count for is_toll_free, count in rows}
    total = sum(counts.values())
    priced = monthly_prices() if total else ({}, "USD")
    if priced is None:
        return CancelledCost(total, None, "USD")
    prices, currency = priced
    if any(kind not in prices for kind in counts):
        return CancelledCost(total, None, currency)
    return CancelledCost(total, sum((prices[kind] * n for kind, n in counts.items()), Decimal(0)), currency)
