"""Provision selected: one job per batch of businesses sends its purchases side by side, each business
keeping its own Activity, and never buys a business two numbers."""

from __future__ import annotations

from harness.waits import wait_for_activity, wait_until_nothing_in_flight
from tests.factories import make_business
from tests.jobs.helpers import buy_at_sandbox, check_one_number_each_or_failed_with_a_reason, timed_batch
from webapp.jobs.enqueue.bulk import enqueue_bulk_provision
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityStatus

LATENCY_SECONDS = 0.5
AREA_CODES = ("206", "212", "415", None)


def test_one_worker_buys_a_batch_side_by_side_each_recorded_apart(app, sandbox, start_worker):
    businesses = [make_business(preferred_area_code=("206", "212", "415")[i % 3]) for i in range(20)]
    start_worker()

    activities, elapsed = timed_batch(
        sandbox, int(LATENCY_SECONDS * 1000), lambda: enqueue_bulk_provision(businesses, None)
    )

    assert {activity.status for activity in activities} == {ActivityStatus.SUCCEEDED}, [
        a.error for a in activities if a.error
    ]
    assert len({activity.rq_job_id for activity in activities}) == 1, "one job for the batch"
    assert check_one_number_each_or_failed_with_a_reason(businesses, sandbox)["succeeded"] == 20
    for activity, business in zip(activities, businesses, strict=True):
        assert activity.business_id == business.id
        assert activity.result["area_code"] == business.preferred_area_code
    # A look-up for an earlier purchase, then one purchase in the area code.
    assert sandbox.request_count("POST /IncomingPhoneNumbers.json") == 20
    assert sandbox.request_count("GET /IncomingPhoneNumbers.json") == 20
    assert sandbox.stats()["max_in_flight"] == 20, sandbox.stats()
    assert elapsed < 20 * 2 * LATENCY_SECONDS / 2, f"20 provisions of 1 s each took {elapsed:.1f} s"


def test_a_batch_adopts_what_an_earlier_attempt_bought_and_reports_provisions_in_flight(
    app, sandbox, start_worker
):
    bought_before = make_business(preferred_area_code="415")
    earlier = buy_at_sandbox(bought_before)
    busy = make_business()
    in_flight = enqueue_provision(busy, None)
    fresh = make_business(preferred_area_code="212")

    batch = enqueue_bulk_provision([bought_before, busy, fresh], None)
    assert batch.already_in_flight == [in_flight.id]
    start_worker()
    wait_until_nothing_in_flight(timeout=60)

    adopted, bought = (wait_for_activity(activity_id, timeout=5) for activity_id in batch.started)
    assert adopted.status == bought.status == ActivityStatus.SUCCEEDED
    assert adopted.result["twilio_sid"] == earlier.sid and "Adopted" in adopted.result["note"]
    assert (
        check_one_number_each_or_failed_with_a_reason([bought_before, busy, fresh], sandbox)["succeeded"] == 3
    )


def test_bulk_provision_under_faults_buys_each_business_one_number_at_most(app, sandbox, start_worker):
    sandbox.set_faults("500=0.3,429=0.1,drop=0.1", seed=7)
    businesses = [make_business(preferred_area_code=AREA_CODES[i % len(AREA_CODES)]) for i in range(50)]
    enqueue_bulk_provision(businesses, None)
    for _ in range(2):
        start_worker()

    wait_until_nothing_in_flight(timeout=120)

    counts = check_one_number_each_or_failed_with_a_reason(businesses, sandbox)
    assert counts["succeeded"] >= 45, counts
    assert counts["retried"] > 0, "no Activity needed an RQ retry: the faults did not reach the batches"
