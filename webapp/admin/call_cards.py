"""The dashboard's card of calls and idle numbers (`templates/admin/dashboard/calls_card.html`): calls
reported in the last hour (counted up to the cap, like every dashboard figure), and the idle numbers with
what they cost a month, as the fleet count keeps them (never the idle query itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, literal_column, select

from webapp.admin.counts import COUNT_CAP, ApproximateCount, capped_count, more_than
from webapp.extensions import db
from webapp.jobs.reads.idle_numbers import IdleCost, kept_idle_cost
from webapp.models import CallEvent
from webapp.models.base import utcnow
from webapp.models.call_event import ENDED_STATUSES


@dataclass(frozen=True)
class CallsCard:
    """Calls in the last hour, and the idle numbers' count and cost (None: not counted yet)."""

    last_hour: int | ApproximateCount
    idle: IdleCost | None


def calls_last_hour(cap: int = COUNT_CAP) -> int | ApproximateCount:
    """Calls to our numbers whose end was reported in the last hour, read by arrival (indexed)."""
    rows: Select[Any] = (
        select(literal_column("1"))
        .select_from(CallEvent)
        .where(
            CallEvent.received_at >= utcnow() - timedelta(hours=1),
            CallEvent.call_status.in_(ENDED_STATUSES),
            CallEvent.phone_number_id.is_not(None),
        )
    )
    counted = db.session.scalar(capped_count(rows, cap)) or 0
    return counted if counted <= cap else more_than(cap)


def calls_card() -> CallsCard:
    """Read the card's figures: one capped count, and the idle figures from Redis."""
    return CallsCard(calls_last_hour(), kept_idle_cost())
