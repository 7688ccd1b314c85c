"""Idle numbers as the Idle numbers page, `numbers idle`, the dashboard and the fleet gauges show them: the
rows of `models.idle.at_risk_numbers` with the same cells everywhere, and the idle numbers' monthly cost
priced with the kept Twilio prices (`number_costs`; never a call to Twilio)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from redis.exceptions import RedisError
from sqlalchemy import case, func, select

from webapp.extensions import db
from webapp.jobs.reads.number_costs import (
    TOLL_FREE_AREA_CODES,
    MonthlyCost,
    PricesState,
    monthly_cost,
    monthly_prices,
    number_kind,
)
from webapp.models import PhoneNumber
from webapp.models.base import utcnow
from webapp.models.idle import IdleRule, at_risk_numbers
from webapp.redis_connection import get_redis

logger = logging.getLogger(__name__)

COLUMNS = (
    "Number",
    "Business",
    "Business status",
    "Age (days)",
    "Last call",
    "Calls (30 d)",
    "Reclaim risk",
    "Monthly price",
)
"""The columns of `numbers idle` and of the page's export, in order."""


def age_days(number: PhoneNumber) -> int:
    """How many whole days the number has been recorded."""
    return (utcnow() - number.created_at).days


def reclaim_risk(number: PhoneNumber) -> str:
    """`Idle` (no long call in the window) or `At risk (2 long calls)` (fewer than three)."""
    long_calls = number.long_calls or 0
    return "Idle" if not long_calls else f"At risk ({long_calls} long call{'s' if long_calls > 1 else ''})"


def monthly_price(number: PhoneNumber, prices: tuple[dict[str, Decimal], str] | PricesState) -> str:
    """The number's monthly price as `1.15 USD`, or `unknown` while Twilio's prices are not kept."""
    if isinstance(prices, PricesState) or number_kind(number.area_code) not in prices[0]:
        return "unknown"
    return f"{prices[0][number_kind(number.area_code)]:.2f} {prices[1]}"


def last_call_text(number: PhoneNumber) -> str:
    """The last call as `2026-12-01 09:00 UTC, completed, 42 s`, or `none`."""
    if number.last_call_at is None:
        return "none"
    length = "" if number.last_call_duration is None else f", {number.last_call_duration} s"
    return f"{number.last_call_at:%Y-%m-%d %H:%M} UTC, {number.last_call_status}{length}"


def cells(number: PhoneNumber, prices: tuple[dict[str, Decimal], str] | PricesState) -> list[str]:
    """The row of `COLUMNS` for one number."""
    return [
        number.e164,
        number.business.name,
        number.business.status.value,
        str(age_days(number)),
        last_call_text(number),
        str(number.calls_30d or 0),
        reclaim_risk(number),
        monthly_price(number, prices),
    ]


def idle_rows(rule: IdleRule) -> list[list[str]]:
    """Every number at risk of reclaim as `COLUMNS` cells, the idle ones first, then by number."""
    prices = monthly_prices()
    query = at_risk_numbers(rule).order_by(rule.long_calls(), PhoneNumber.e164)
    return [cells(number, prices) for number in query]


@dataclass(frozen=True)
class IdleCost:
    """How many numbers are idle and what they cost a month."""

    numbers: int
    cost: MonthlyCost


def idle_cost(rule: IdleRule) -> IdleCost:
    """Count the idle numbers by kind in one query and price them."""
    toll_free = func.count(case((PhoneNumber.area_code.in_(TOLL_FREE_AREA_CODES), 1)))
    total, toll_free_count = db.session.execute(
        select(func.count(), toll_free).select_from(PhoneNumber).where(rule.idle())
    ).one()
    by_kind = {"local": total - toll_free_count, "toll free": toll_free_count}
    return IdleCost(total, monthly_cost(by_kind))


IDLE_KEY = "switchboard:fleet:idle-numbers"
"""Where the fleet count (`fleet_gauges`, every minute) keeps the idle numbers' count and cost for the
dashboard, which so never runs the idle query itself."""

IDLE_TTL_SECONDS = 600
"""How long a kept count is shown: ten fleet counts missed and the dashboard says it is being counted."""


def keep_idle_cost(counted: IdleCost) -> None:
    """Keep the idle count and cost in Redis for the dashboard."""
    cost = counted.cost
    saved = {
        "numbers": counted.numbers,
        "monthly": None if cost.monthly is None else str(cost.monthly),
        "currency": cost.currency,
        "prices": cost.prices,
    }
    get_redis().set(IDLE_KEY, json.dumps(saved), ex=IDLE_TTL_SECONDS)


def kept_idle_cost() -> IdleCost | None:
    """The idle count and cost the last fleet count kept, or None (not counted yet, or Redis down)."""
    try:
        kept = cast("bytes | None", get_redis().get(IDLE_KEY))
    except RedisError as error:
        logger.warning("Could not read the kept idle count: %s", error)
        return None
    if not kept:
        return None
    saved = json.loads(kept)
    monthly = None if saved["monthly"] is None else Decimal(saved["monthly"])
    prices = None if saved["prices"] is None else PricesState(saved["prices"])
    return IdleCost(saved["numbers"], MonthlyCost(monthly, saved["currency"], prices))


def selected_cost(numbers: Sequence[PhoneNumber]) -> MonthlyCost:
    """What the given numbers cost a month."""
    by_kind = {"local": 0, "toll free": 0}
    for number in numbers:
        by_kind[number_kind(number.area_code)] += 1
    return monthly_cost(by_kind)
