"""The console's home page: counts by status, the provisioning backlog, queues, breakers, latest jobs."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_admin import expose
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from webapp.admin.base import SecureIndexView, may
from webapp.admin.queues import queue_summary
from webapp.extensions import db
from webapp.jobs.queue import get_queue
from webapp.models import Activity, Business, BusinessStatus, PhoneNumber, Role, WebhookStatus
from webapp.redis_connection import get_redis
from webapp.twilio_client import breaker_states

BACKLOG_SHOWN = 20
"""How many businesses awaiting a number the dashboard lists (the total is shown too)."""

LATEST_ACTIVITIES = 20
"""How many of the latest jobs the dashboard lists."""


def counts_by(column: Any, members: type) -> dict[Any, int]:
    """Return `{member: rows}` for every member of the enum `members`, in one GROUP BY query."""
    found = dict(db.session.execute(select(column, func.count()).group_by(column)).all())
    return {member: found.get(member, 0) for member in members}


def awaiting_number() -> Any:
    """The condition of the provisioning backlog: active businesses without a number."""
    return (Business.status == BusinessStatus.ACTIVE) & ~exists().where(
        PhoneNumber.business_id == Business.id
    )


def provisioning_backlog() -> tuple[list[Business], int]:
    """The oldest businesses awaiting a number (at most BACKLOG_SHOWN), and how many await in all."""
    total = db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number()))
    shown = db.session.scalars(
        select(Business).where(awaiting_number()).order_by(Business.created_at).limit(BACKLOG_SHOWN)
    ).all()
    return list(shown), total or 0


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
    """The console's home page."""

    @expose("/")
    def index(self) -> str:
        backlog, backlog_total = provisioning_backlog()
        return self.render(
            "admin/dashboard/index.html",
            businesses_by_status=counts_by(Business.status, BusinessStatus),
            numbers_by_webhook_status=counts_by(PhoneNumber.webhook_status, WebhookStatus),
            backlog=backlog,
            backlog_total=backlog_total,
            queues=queue_summary(get_queue()),
            breakers=breaker_states(get_redis(), reset_timeout=current_app.config["BREAKER_RESET_TIMEOUT"]),
            activities=latest_activities(),
            may_operate=may(Role.OPERATOR),
            may_administer=may(Role.ADMIN),
        )
