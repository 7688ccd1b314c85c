"""The recurring fleet count, run in the worker process: numbers by webhook status and the businesses
awaiting a number, and the idle numbers with their monthly cost (also kept in Redis for the dashboard), set
on the fleet gauges (`webapp.metrics.fleet`) that `/metrics` shows."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.jobs.reads.idle_numbers import idle_cost, keep_idle_cost
from webapp.metrics.fleet import record_fleet
from webapp.models import Business, PhoneNumber, WebhookStatus
from webapp.models.business import awaiting_number
from webapp.models.idle import IdleRule

INTERVAL_SECONDS = 60
"""How often the fleet is counted: one GROUP BY over the numbers and one partial-index count."""


def count_fleet() -> dict[str, int]:
    """Count the fleet and set the gauges; return the counts (numbers by webhook status, and `awaiting`)."""
    found = dict(
        db.session.execute(
            select(PhoneNumber.webhook_status, func.count()).group_by(PhoneNumber.webhook_status)
        ).all()
    )
    by_status = {status.value: found.get(status, 0) for status in WebhookStatus}
    awaiting = db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number())) or 0
    idle = idle_cost(IdleRule.configured())
    keep_idle_cost(idle)
    record_fleet(by_status, awaiting, idle.numbers, idle.cost.monthly)
    return {**by_status, "awaiting": awaiting, "idle": idle.numbers}
