"""Fifty provisions against a sandbox that fails 30% of requests with 500, 10% with 429 and drops 10% of
purchase answers: each business ends with exactly one number or a failed Activity saying why, and Twilio
holds exactly the numbers the database records."""

from __future__ import annotations

from harness.waits import wait_until_nothing_in_flight
from tests.factories import make_business
from tests.jobs.helpers import check_one_number_each_or_failed_with_a_reason
from webapp.jobs.enqueue.kinds import enqueue_provision

BUSINESSES = 50
WORKERS = 3
AREA_CODES = ("206", "212", "303", "312", "415", "510", "617", None)


def test_fifty_provisions_under_faults_end_one_number_each_or_failed_with_a_reason(
    app, sandbox, start_worker
):
    sandbox.set_faults("500=0.3,429=0.1,drop=0.1", seed=5)
    businesses = [
        make_business(preferred_area_code=AREA_CODES[i % len(AREA_CODES)]) for i in range(BUSINESSES)
    ]
    for business in businesses:
        enqueue_provision(business, None)
    for _ in range(WORKERS):
        start_worker()

    wait_until_nothing_in_flight(timeout=120)

    counts = check_one_number_each_or_failed_with_a_reason(businesses, sandbox)
    print(f"{counts['succeeded']}/{BUSINESSES} provisioned, {counts['retried']} needed an RQ retry")
    assert counts["succeeded"] >= BUSINESSES * 0.9
    assert counts["retried"] > 0, "no job needed an RQ retry: the faults did not reach the jobs"
