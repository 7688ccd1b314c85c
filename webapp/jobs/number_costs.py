"""Twilio's monthly price of a number, by kind (Pricing API, cached a day).

The prices come through the client (breakers, retries) once a day and are kept in Redis; when Twilio
cannot be asked, they are unknown (None).
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from redis.exceptions import RedisError

from webapp.redis_connection import get_redis
from webapp.twilio_client import ApiError, get_client

logger = logging.getLogger(__name__)

PRICES_KEY = "switchboard:pricing:phone-numbers:US"
PRICES_TTL_SECONDS = 24 * 3600
"""How long Twilio's number prices are kept before they are asked again."""

TOLL_FREE_AREA_CODES = ("800", "833", "844", "855", "866", "877", "888")
"""Area codes whose numbers Twilio prices as toll-free; every other recorded number is priced as local."""


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
