"""A batch of re-syncs sends its Twilio requests side by side: one worker fills the account's limit."""

from __future__ import annotations

from tests.factories import make_business
from tests.jobs.helpers import ELSEWHERE, VOICE_URL, buy_at_sandbox, record, timed_batch
from webapp.extensions import db
from webapp.jobs.enqueue.bulk import enqueue_bulk_resync
from webapp.models import ActivityStatus, PhoneNumber, WebhookStatus

LATENCY_SECONDS = 1.0


def test_one_worker_sends_a_batch_of_resyncs_concurrently_each_recorded_apart(app, sandbox, start_worker):
    numbers = []
    for i in range(20):
        business = make_business()
        bought = buy_at_sandbox(business, ("415", "212")[i % 2], voice_url=ELSEWHERE)
        numbers.append(record(business, bought, webhook_status="drifted"))
    start_worker()

    activities, elapsed = timed_batch(
        sandbox, int(LATENCY_SECONDS * 1000), lambda: enqueue_bulk_resync(numbers, None)
    )

    assert {activity.status for activity in activities} == {ActivityStatus.SUCCEEDED}
    assert len({activity.rq_job_id for activity in activities}) == 1, "one job for the batch"
    assert {activity.result["twilio_sid"] for activity in activities} == {n.twilio_sid for n in numbers}
    assert sandbox.stats()["max_in_flight"] == 20, sandbox.stats()
    assert elapsed < 20 * LATENCY_SECONDS / 2, f"20 updates of 1 s each took {elapsed:.1f} s"
    db.session.rollback()
    rows = db.session.scalars(db.select(PhoneNumber)).all()
    assert {(row.webhook_status, row.voice_url) for row in rows} == {(WebhookStatus.IN_SYNC, VOICE_URL)}
