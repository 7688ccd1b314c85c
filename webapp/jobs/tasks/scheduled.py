"""The jobs the recurring schedule (`recurring.py`) or a page starts that belong to no Activity: reading
number prices, and releasing the numbers of long-cancelled businesses. Run in the worker."""

from __future__ import annotations

import logging

from flask import current_app

from webapp.jobs.enqueue.auto_release import release_cancelled
from webapp.jobs.reads.number_costs import read_prices
from webapp.jobs.running.runtime import job_context

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
