"""The recurring fleet count, run in the worker process: numbers by webhook status, the businesses
awaiting a number, the voice numbers without a registered emergency address, and the idle numbers with their
monthly cost (also kept in Redis for the dashboard), set on the fleet gauges (`webapp.metrics.fleet`) that
`/metrics` shows."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.jobs.reads.idle_numbers import idle_cost, keep_idle_cost
from webapp.metrics.fleet import record_fleet
from webapp.models import Business, PhoneNumber, WebhookStatus
from webapp.models.business import awaiting_number
from webapp.models.idle import IdleRule

INTERVAL_SECONDS = 60
"""How often the fleet is counted: one GROUP BY over the numbers, one partial-index count and one count of
the numbers without a registered emergency address."""


def count_fleet() -> dict[str, int]:
    """Count the fleet and set the gauges; return the counts (numbers by webhook status, `awaiting` and
    `without_emergency_address`)."""
    found = dict(
        db.session.execute(
            select(PhoneNumber.webhook_status, func.count()).group_by(PhoneNumber.webhook_status)
        ).all()
    )
    by_status = {status.value: found.get(status, 0) for status in WebhookStatus}
    awaiting = db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number())) or 0
    missing = PhoneNumber.voice_capable() & PhoneNumber.without_emergency_address()
    without_address = db.session.scalar(select(func.count()).select_from(PhoneNumber).where(missing)) or 0
    idle = idle_cost(IdleRule.configured())
    keep_idle_cost(idle)
    record_fleet(by_status, awaiting, without_address, idle.numbers, idle.cost.monthly)
    return {
        **by_status,
        "awaiting": awaiting,
        "without_emergency_address": without_address,
        "idle": idle.numbers,
    }
