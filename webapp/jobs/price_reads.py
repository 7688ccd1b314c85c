"""The RQ job a page enqueues when no number prices are kept (`number_costs.request_prices`)."""

from __future__ import annotations

from webapp.jobs.number_costs import read_prices
from webapp.jobs.runtime import job_context


def read_prices_job() -> None:
    """RQ job: `read_prices` in the jobs' app."""
    with job_context():
        read_prices()
