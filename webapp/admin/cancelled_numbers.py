"""The dashboard's card of the numbers cancelled businesses still hold, and what they cost a month.

Counted like every dashboard figure, up to the cap (an index range, never a scan), and priced
with Twilio's prices as a job keeps them in Redis (`number_costs`); while they are being read, or when they
cannot be, the cost is unknown and the count is still shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, literal_column, select, true

from webapp.admin.counts import COUNT_CAP, capped_count, more_than
from webapp.extensions import db
from webapp.jobs.reads.number_costs import TOLL_FREE_AREA_CODES, PricesState, monthly_cost
from webapp.models import Business, BusinessStatus, PhoneNumber
from webapp.models.business import CANCELLED_STATUS


@dataclass(frozen=True)
class CancelledCost:
    """How many numbers cancelled businesses hold, and their monthly cost (None: prices unknown; `at_least`:
    both are lower bounds, the count having reached its cap)."""

    numbers: int
    monthly: Decimal | None
    currency: str
    at_least: bool = False
    prices: PricesState | None = None
    """Why `monthly` is None when Twilio's prices are not known: being read, or unreadable."""


def cancelled_cost(cap: int = COUNT_CAP) -> CancelledCost:
    """Count the numbers of cancelled businesses by kind, each up to `cap` + 1 rows, and price them.

    All of them are the cancelled businesses with a number (`has_number`: one number each), read from the
    partial index `ix_businesses_cancelled_with_number` (its predicate spelled literally, so that even a
    generic plan uses it); the toll-free ones are found by area code, which few numbers have; the local
    ones are the rest. A join of numbers to cancelled businesses reading `cap` rows took 56 ms of an 86 ms
    dashboard at 1,000,000 businesses. Above the cap the count is a lower bound ("more than 10,000") and
    so is the cost (`at_least`).
    """
    with_number: Select[Any] = (
        select(literal_column("1"))
        .select_from(Business)
        .where(Business.status == literal_column(f"'{CANCELLED_STATUS}'"), Business.has_number == true())
    )
    toll_free: Select[Any] = (
        select(literal_column("1"))
        .select_from(PhoneNumber)
        .join(Business, PhoneNumber.business_id == Business.id)
        .where(Business.status == BusinessStatus.CANCELLED, PhoneNumber.area_code.in_(TOLL_FREE_AREA_CODES))
    )
    held, toll_free_held = db.session.execute(
        select(
            capped_count(with_number, cap).scalar_subquery(), capped_count(toll_free, cap).scalar_subquery()
        )
    ).one()
    at_least = held > cap
    toll_free_held = min(toll_free_held, cap)
    by_kind = {"local": max(min(held, cap) - toll_free_held, 0), "toll free": toll_free_held}
    total = sum(by_kind.values())
    numbers = more_than(total) if at_least else total
    cost = monthly_cost(by_kind)
    return CancelledCost(numbers, cost.monthly, cost.currency, at_least, cost.prices)
