"""The console's home page: the provisioning backlog, counts that open the lists of what they count, queues,
breakers, latest jobs."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import current_app
from flask_admin import expose
from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import joinedload

from webapp.admin.base import SecureIndexView, may
from webapp.admin.call_cards import calls_card
from webapp.admin.cancelled_numbers import cancelled_cost
from webapp.admin.counts import COUNT_CAP, ApproximateCount, capped_count, counts_by, more_than
from webapp.admin.emergency import voice_numbers_without_emergency_address
from webapp.admin.health_badges import FAILING_LABEL, failing_since
from webapp.admin.list_links import filtered_list_url
from webapp.admin.orphans import latest_orphans_notice
from webapp.extensions import db
from webapp.jobs.enqueue import get_queue
from webapp.jobs.reads.fleet_counts import latest_fleet_counts
from webapp.jobs.reads.queues import queue_summary
from webapp.models import Activity, Business, BusinessStatus, PhoneNumber, Role, WebhookStatus
from webapp.models.business import awaiting_number
from webapp.redis_connection import get_redis
from webapp.twilio_client import breaker_states, concurrency_state

BACKLOG_SHOWN = 20
"""How many businesses awaiting a number the dashboard lists (the total is shown too)."""

LATEST_ACTIVITIES = 20
"""How many of the latest jobs the dashboard lists."""


def backlog_total(cap: int | None) -> int:
    """How many businesses await a number: exactly, or up to `cap` and then "more than `cap`"."""
    if cap is None:
        return db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number())) or 0
    counted = (
        db.session.scalar(
            capped_count(select(literal_column("1")).select_from(Business).where(awaiting_number()), cap)
        )
        or 0
    )
    return counted if counted <= cap else more_than(cap)


def provisioning_backlog() -> list[Business]:
    """The oldest businesses awaiting a number (at most BACKLOG_SHOWN)."""
    shown = db.session.scalars(
        select(Business).where(awaiting_number()).order_by(Business.created_at).limit(BACKLOG_SHOWN)
    ).all()
    return list(shown)


def status_counts(cap: int | None) -> dict[str, Any]:
    """The dashboard's counts by status, its backlog's total and the voice numbers without an emergency
    address: as the workers last counted them, with their age in seconds (`counts_age`), or, with no recent
    count, counted now (exact up to `cap`)."""
    counted = latest_fleet_counts()
    if counted is None:
        return {
            "businesses_by_status": counts_by(db.session, Business.status, list(BusinessStatus), cap),
            "numbers_by_webhook_status": counts_by(
                db.session, PhoneNumber.webhook_status, list(WebhookStatus), cap
            ),
            "backlog_total": backlog_total(cap),
            "voice_numbers_without_emergency_address": voice_numbers_without_emergency_address(cap),
            "counts_age": None,
        }
    without_address = counted.without_emergency_address
    return {
        "businesses_by_status": {
            status: counted.businesses.get(status.value, 0) for status in BusinessStatus
        },
        "numbers_by_webhook_status": {
            status: counted.numbers.get(status.value, 0) for status in WebhookStatus
        },
        "backlog_total": counted.awaiting,
        "voice_numbers_without_emergency_address": (
            voice_numbers_without_emergency_address(cap) if without_address is None else without_address
        ),
        "counts_age": round(counted.age_seconds()),
    }


def failing_count(cap: int | None) -> int | ApproximateCount:
    """How many numbers had a failed webhook request in the window (exact up to `cap`)."""
    failing = PhoneNumber.webhook_failing_since(failing_since())
    if cap is None:
        return db.session.scalar(select(func.count()).select_from(PhoneNumber).where(failing)) or 0
    rows: Select[Any] = select(literal_column("1")).select_from(PhoneNumber).where(failing)
    counted = db.session.scalar(capped_count(rows, cap)) or 0
    return counted if counted <= cap else more_than(cap)


def latest_activities() -> list[Activity]:
    """The latest jobs, newest first, with their business, number and requester loaded."""
    query = (
        select(Activity)
        .options(
            joinedload(Activity.business),
            joinedload(Activity.phone_number),
            joinedload(Activity.requested_by),
        )
        .order_by(Activity.created_at.desc())
        .limit(LATEST_ACTIVITIES)
    )
    return list(db.session.scalars(query))


class DashboardView(SecureIndexView):
    """The console's home page. Counts by status are the workers' latest exact count, shown with its age;
    without one, and for the failing webhooks, exact up to `count_cap`, estimated above (None: always
    exact)."""

    count_cap: int | None = COUNT_CAP

    @expose("/")
    def index(self) -> str:
        return self.render(
            "admin/dashboard/index.html",
            **status_counts(self.count_cap),
            webhooks_failing=failing_count(self.count_cap),
            backlog=provisioning_backlog(),
            queues=queue_summary(get_queue()),
            breakers=breaker_states(get_redis(), reset_timeout=current_app.config["BREAKER_RESET_TIMEOUT"]),
            twilio_concurrency=concurrency_state(),
            activities=latest_activities(),
            may_operate=may(Role.OPERATOR),
            may_administer=may(Role.ADMIN),
            cancelled_cost=cancelled_cost(),
            orphans_notice=latest_orphans_notice(),
            list_url=partial(filtered_list_url, self.admin),
            failing_filter=FAILING_LABEL,
            calls=calls_card(),
        )
