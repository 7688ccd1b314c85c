"""The webhook jobs against the sandbox: drift found and repaired, 404s marked, 500 numbers checked."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from harness.waits import wait_for_activity
from tests.factories import make_business
from tests.jobs.helpers import ELSEWHERE, VOICE_URL, buy_at_sandbox, record, watch_progress
from webapp.extensions import db
from webapp.jobs.enqueue.bulk import enqueue_bulk_resync
from webapp.jobs.enqueue.kinds import enqueue_check, enqueue_resync, enqueue_resync_drifted
from webapp.jobs.tasks.webhook_listing import LIST_CHECK_THRESHOLD
from webapp.models import ActivityStatus, Business, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.twilio_client import get_client
from webapp.twilio_client.configuration import NumberConfiguration


def refreshed(number: PhoneNumber) -> PhoneNumber:
    db.session.rollback()
    return db.session.get(PhoneNumber, number.id)


def test_drift_is_detected_and_resync_repairs_it(app, sandbox, start_worker):
    business = make_business()
    number = record(business, buy_at_sandbox(business), webhook_status=WebhookStatus.IN_SYNC)
    get_client().update_number_webhook(
        number.twilio_sid, NumberConfiguration(ELSEWHERE)
    )  # someone edits it in Twilio's console
    start_worker()

    check = wait_for_activity(enqueue_check(number, None).id)

    assert check.status == ActivityStatus.SUCCEEDED
    assert check.result["counts"]["drifted"] == 1
    drifted = refreshed(number)
    assert drifted.webhook_status == WebhookStatus.DRIFTED
    assert drifted.webhook_error == f"Voice URL is {ELSEWHERE}, expected {VOICE_URL}."
    assert drifted.voice_url == ELSEWHERE and drifted.webhook_checked_at is not None

    resync = wait_for_activity(enqueue_resync(drifted, None).id)

    assert resync.status == ActivityStatus.SUCCEEDED, resync.error
    repaired = refreshed(number)
    assert (repaired.webhook_status, repaired.webhook_error) == (WebhookStatus.IN_SYNC, None)
    assert repaired.webhook_synced_at is not None and repaired.voice_url == VOICE_URL
    assert get_client().fetch_number(number.twilio_sid).voice_url == VOICE_URL
    assert wait_for_activity(enqueue_check(repaired, None).id).result["counts"]["in_sync"] == 1


def test_a_number_gone_from_twilio_is_marked_error_and_its_resync_fails(app, sandbox, start_worker):
    business = make_business()
    number = record(business, buy_at_sandbox(business))
    get_client().release_number(number.twilio_sid)
    start_worker()

    wait_for_activity(enqueue_check(number, None).id)
    assert refreshed(number).webhook_status == WebhookStatus.ERROR
    resync = wait_for_activity(enqueue_resync(refreshed(number), None).id)

    assert resync.status == ActivityStatus.FAILED
    assert "no longer on the Twilio account" in resync.error
    assert refreshed(number).webhook_error == resync.error


def test_resync_drifted_repairs_each_drifted_number_once(app, sandbox, start_worker):
    drifted = []
    for _ in range(3):
        business = make_business()
        drifted.append(
            record(business, buy_at_sandbox(business, voice_url=ELSEWHERE), webhook_status="drifted")
        )
    in_sync_business = make_business()
    in_sync = record(in_sync_business, buy_at_sandbox(in_sync_business), webhook_status="in_sync")
    repair = enqueue_resync_drifted(None)
    already = enqueue_resync(drifted[0], None)  # queued behind the repair, so in flight when it runs
    start_worker()

    run = wait_for_activity(repair.id)

    assert run.status == ActivityStatus.SUCCEEDED
    assert (run.result["enqueued"], run.result["already_in_flight"]) == (2, 1)
    for activity_id in [already.id, *run.result["activity_ids"]]:
        assert wait_for_activity(activity_id).status == ActivityStatus.SUCCEEDED
    assert {refreshed(n).webhook_status for n in drifted} == {WebhookStatus.IN_SYNC}
    assert refreshed(in_sync).webhook_synced_at is None


def buy_many(sandbox, how_many: int) -> list:
    """Buy `how_many` numbers at the sandbox, several requests at a time; return them."""
    client = get_client()
    offered = []
    for area_code in ("206", "212", "213", "303", "305", "312", "404", "415", "510", "512", "617"):
        offered += client.search_available_numbers(area_code=area_code, limit=50)
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(
            pool.map(
                lambda found: client.purchase_number(
                    found[1].phone_number,
                    f"switchboard:check-{found[0]}",
                    NumberConfiguration(ELSEWHERE if found[0] % 10 == 0 else VOICE_URL),
                ),
                enumerate(offered[:how_many]),
            )
        )


def test_checking_300_numbers_one_by_one_reports_progress_and_finishes(app, sandbox, start_worker):
    bought = buy_many(sandbox, 295)
    businesses = [Business(name=f"Check {i}", status=BusinessStatus.ACTIVE) for i in range(300)]
    db.session.add_all(businesses)
    gone = [f"PN{i:032x}" for i in range(5)]  # never bought: Twilio answers 404
    db.session.add_all(
        PhoneNumber(business=business, e164=number.phone_number, twilio_sid=number.sid, capabilities={})
        for business, number in zip(businesses, bought, strict=False)
    )
    db.session.add_all(
        PhoneNumber(business=business, e164=f"+1718555{i:04d}", twilio_sid=sid, capabilities={})
        for i, (business, sid) in enumerate(zip(businesses[295:], gone, strict=True))
    )
    db.session.commit()
    start_worker()
    listed = list(db.session.scalars(db.select(PhoneNumber)))
    assert len(listed) == LIST_CHECK_THRESHOLD, "at most the threshold: checked one by one"
    activity = enqueue_check(listed, None)

    current, seen = watch_progress(activity.id, 90)

    assert current.status == ActivityStatus.SUCCEEDED, current.error
    assert current.result["checked"] == 300
    assert current.result["counts"] == {"drifted": 30, "error": 5, "in_sync": 265}
    assert sandbox.request_count("GET /IncomingPhoneNumbers/{Sid}.json") == 300
    progress = sorted(done for done, total in seen if done is not None and total == 300)
    assert progress[-1] == 300
    assert len([done for done in progress if 0 < done < 300]) >= 2, f"progress seen: {progress}"
    statuses = db.session.execute(
        db.select(PhoneNumber.webhook_status, db.func.count()).group_by(PhoneNumber.webhook_status)
    ).all()
    assert dict(statuses) == {WebhookStatus.IN_SYNC: 265, WebhookStatus.DRIFTED: 30, WebhookStatus.ERROR: 5}


def test_a_batch_of_resyncs_fails_only_the_number_gone_from_twilio(app, sandbox, start_worker):
    numbers = []
    for _ in range(4):
        business = make_business()
        numbers.append(
            record(business, buy_at_sandbox(business, voice_url=ELSEWHERE), webhook_status="drifted")
        )
    gone = numbers[1]
    get_client().release_number(gone.twilio_sid)
    started = enqueue_bulk_resync(numbers, None)
    start_worker()

    outcomes = {
        activity.phone_number_id: activity
        for activity in (wait_for_activity(activity_id) for activity_id in started.started)
    }

    assert len(outcomes) == len(numbers)
    assert outcomes[gone.id].status == ActivityStatus.FAILED
    assert "no longer on the Twilio account" in outcomes[gone.id].error
    for number in numbers:
        if number.id != gone.id:
            assert outcomes[number.id].status == ActivityStatus.SUCCEEDED
            assert refreshed(number).webhook_status == WebhookStatus.IN_SYNC
            assert get_client().fetch_number(number.twilio_sid).voice_url == VOICE_URL
