"""The jobs the recurring schedule (`recurring.py`) or a page starts that belong to no Activity: reading
number prices, releasing the numbers of long-cancelled businesses, pruning old call callbacks. Run in the
worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from webapp.jobs.enqueue.auto_release import release_cancelled
from webapp.jobs.reads.number_costs import read_prices
from webapp.jobs.running.runtime import job_context
from webapp.models.base import utcnow
from webapp.models.call_day import KEEP_DAYS as CALL_DAYS_KEEP_DAYS
from webapp.models.call_day import prune_call_days
from webapp.models.call_event import prune_call_events

logger = logging.getLogger(__name__)


def read_prices_job() -> None:
    """RQ job a page enqueues when no number prices are kept (`number_costs.request_prices`): `read_prices`
    in the jobs' app."""
    with job_context():
        read_prices()


def release_cancelled_job() -> dict[str, int] | None:
    """The recurring sweep: release as `RELEASE_CANCELLED_AFTER_DAYS` says, or do nothing when unset."""
    days = current_app.config["RELEASE_CANCELLED_AFTER_DAYS"]
    if days is None:
        return None
    started = release_cancelled(days)
    logger.info("Auto-release: %d numbers of businesses cancelled over %d days", len(started), days)
    return {"releases": len(started)}


def prune_call_events_job() -> dict[str, int]:
    """The recurring prune: delete the status callbacks received more than `CALL_EVENTS_KEEP_DAYS` ago,
    and the daily call totals older than 13 months."""
    days = current_app.config["CALL_EVENTS_KEEP_DAYS"]
    days_deleted = prune_call_days(utcnow().date() - timedelta(days=CALL_DAYS_KEEP_DAYS))
    deleted = prune_call_events(utcnow() - timedelta(days=days))  # commits both
    logger.info(
        "Pruned %d call callbacks older than %d days and %d daily call totals", deleted, days, days_deleted
    )
    return {"deleted": deleted, "days_deleted": days_deleted}
