"""The recurring fleet count, run in the worker process: numbers by webhook status and the businesses
awaiting a number, set on the fleet gauges (`webapp.metrics.fleet`) that `/metrics` shows, and with the
businesses by status kept for the dashboard (`webapp.jobs.reads.fleet_counts`)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.jobs.reads.fleet_counts import FleetCounts, save_fleet_counts
from webapp.metrics.fleet import record_fleet
from webapp.models import Business, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.models.business import awaiting_number

INTERVAL_SECONDS = 60
"""How often the fleet is counted: a GROUP BY over the numbers, one over the businesses and one
partial-index count."""


def count_by(column: Any, members: type[enum.Enum]) -> dict[str, int]:
    """Return the rows of each member of an enum column, by value (0 for those with none), exactly."""
    found: dict[Any, int] = dict(db.session.execute(select(column, func.count()).group_by(column)).all())
    return {member.value: found.get(member, 0) for member in members}


def count_fleet() -> dict[str, int]:
    """Count the fleet, set the gauges and keep the counts for the dashboard; return the gauges' counts
    (numbers by webhook status, and `awaiting`)."""
    counted_at = datetime.now(UTC)
    by_status = count_by(PhoneNumber.webhook_status, WebhookStatus)
    awaiting = db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number())) or 0
    businesses = count_by(Business.status, BusinessStatus)
    record_fleet(by_status, awaiting)
    save_fleet_counts(FleetCounts(counted_at, businesses, by_status, awaiting))
    return {**by_status, "awaiting": awaiting}
