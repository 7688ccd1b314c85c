"""The recurring fleet count, run in the worker process: numbers by webhook status, the businesses
awaiting a number, the voice numbers without a registered emergency address, and the idle numbers with their
monthly cost, set on the fleet gauges (`webapp.metrics.fleet`) that `/metrics` shows; the businesses by
status, the numbers by webhook status, the backlog and the numbers without an emergency address
(`webapp.jobs.reads.fleet_counts`) and the idle figures are also kept in Redis for the dashboard."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.jobs.reads.fleet_counts import FleetCounts, save_fleet_counts
from webapp.jobs.reads.idle_numbers import idle_cost, keep_idle_cost
from webapp.metrics.fleet import record_fleet
from webapp.models import Business, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.models.business import awaiting_number
from webapp.models.idle import IdleRule

INTERVAL_SECONDS = 60
"""How often the fleet is counted: a GROUP BY over the numbers, one over the businesses, one partial-index
count, one count of the numbers without a registered emergency address, and the idle numbers' count."""


def count_by(column: Any, members: type[enum.Enum]) -> dict[str, int]:
    """Return the rows of each member of an enum column, by value (0 for those with none), exactly."""
    found: dict[Any, int] = dict(db.session.execute(select(column, func.count()).group_by(column)).all())
    return {member.value: found.get(member, 0) for member in members}


def count_fleet() -> dict[str, int]:
    """Count the fleet, set the gauges and keep the counts for the dashboard; return the gauges' counts
    (numbers by webhook status, `awaiting`, `without_emergency_address` and `idle`)."""
    counted_at = datetime.now(UTC)
    by_status = count_by(PhoneNumber.webhook_status, WebhookStatus)
    awaiting = db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number())) or 0
    businesses = count_by(Business.status, BusinessStatus)
    missing = PhoneNumber.voice_capable() & PhoneNumber.without_emergency_address()
    without_address = db.session.scalar(select(func.count()).select_from(PhoneNumber).where(missing)) or 0
    idle = idle_cost(IdleRule.configured())
    keep_idle_cost(idle)
    record_fleet(by_status, awaiting, without_address, idle.numbers, idle.cost.monthly)
    save_fleet_counts(FleetCounts(counted_at, businesses, by_status, awaiting, without_address))
    return {
        **by_status,
        "awaiting": awaiting,
        "without_emergency_address": without_address,
        "idle": idle.numbers,
    }
