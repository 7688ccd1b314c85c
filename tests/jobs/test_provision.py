"""The provision job, end to end: a real worker, Redis, and the sandbox over HTTP."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business, make_number
from tests.jobs.helpers import ELSEWHERE, buy_at_sandbox, count, numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.jobs.running.twilio_state import friendly_name_for
from webapp.models import ActivityStatus, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.twilio_client import get_client

VOICE_URL = "http://localhost:3000/voice"
PURCHASE = "POST /IncomingPhoneNumbers.json"
UPDATE = "POST /IncomingPhoneNumbers/{Sid}.json"


def test_provision_buys_configures_and_records_a_number(app, sandbox, start_worker):
    business = make_business(preferred_area_code="415")
    activity = enqueue_provision(business, None)
    assert (activity.status, activity.rq_job_id) == (ActivityStatus.QUEUED, activity.rq_job_id)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert done.attempts == 1 and done.error is None
    assert done.started_at <= done.finished_at
    assert (done.progress_done, done.progress_total) == (4, 4)
    [number] = numbers_of(business.id)
    assert number.area_code == "415" and number.e164.startswith("+1415")
    assert number.webhook_status == WebhookStatus.IN_SYNC and number.webhook_synced_at is not None
    assert number.voice_url == VOICE_URL and number.capabilities["voice"] is True
    assert done.result["e164"] == number.e164 and done.result["twilio_sid"] == number.twilio_sid
    assert done.e164 == number.e164  # named on the Activity as soon as it is bought
    [owned] = sandbox.owned_numbers()
    assert owned == {
        "sid": number.twilio_sid,
        "phone_number": number.e164,
        "friendly_name": friendly_name_for(business),
    }
    # The purchase set the webhook: no second request to set it again.
    assert (sandbox.request_count(PURCHASE), sandbox.request_count(UPDATE)) == (1, 0)


def test_adopted_number_with_another_webhook_gets_ours(app, sandbox, start_worker):
    business = make_business()
    bought = buy_at_sandbox(business, voice_url=ELSEWHERE)
    activity = enqueue_provision(business, None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert f"Adopted {bought.phone_number}" in done.result["note"]
    [number] = numbers_of(business.id)
    assert (number.twilio_sid, number.voice_url, number.webhook_status) == (
        bought.sid,
        VOICE_URL,
        WebhookStatus.IN_SYNC,
    )
    assert get_client().fetch_number(bought.sid).voice_url == VOICE_URL
    assert (sandbox.request_count(PURCHASE), sandbox.request_count(UPDATE)) == (1, 1)


def test_webhook_that_cannot_be_set_leaves_the_adopted_number_recorded_as_drifted(app, sandbox, start_worker):
    business = make_business()
    bought = buy_at_sandbox(business, voice_url=ELSEWHERE)
    sandbox.set_faults("500=1.0,method=POST,path=/IncomingPhoneNumbers/")
    activity = enqueue_provision(business, None)
    start_worker()

    done = wait_for_activity(activity.id)

    # Failing would leave a number Twilio bills for and nobody records: it is recorded, marked drifted.
    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert "voice webhook could not be set" in done.result["note"] and "Re-sync" in done.result["note"]
    [number] = numbers_of(business.id)
    assert (number.twilio_sid, number.voice_url, number.webhook_status) == (
        bought.sid,
        ELSEWHERE,
        WebhookStatus.DRIFTED,
    )
    assert ELSEWHERE in number.webhook_error
    assert sandbox.request_count(UPDATE) == 3  # the client's attempts, then no job retry


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: make_business(status=BusinessStatus.TRIAL), "is trial: only active businesses get a number"),
        (lambda: make_business(status=BusinessStatus.SUSPENDED), "is suspended"),
        (lambda: make_number().business, "already has the number"),
    ],
    ids=["trial", "suspended", "numbered"],
)
def test_ineligible_business_fails_at_once_with_the_reason(app, sandbox, start_worker, make, reason):
    business = make()
    activity = enqueue_provision(business, None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED
    assert reason in done.error and business.name in done.error
    assert done.attempts == 1
    assert sandbox.owned_count() == 0
    assert sandbox.request_count("POST /IncomingPhoneNumbers.json") == 0


def test_requested_area_code_wins_over_the_preferred_one(app, sandbox, start_worker):
    business = make_business(preferred_area_code="415")
    activity = enqueue_provision(business, None, area_code="212")
    start_worker()

    assert wait_for_activity(activity.id).status == ActivityStatus.SUCCEEDED
    assert numbers_of(business.id)[0].area_code == "212"


def test_no_number_anywhere_fails_with_the_reason(app, sandbox, start_worker):
    sandbox.set_pool_size(0)
    business = make_business(preferred_area_code="415")
    activity = enqueue_provision(business, None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED
    assert done.error.startswith("No number could be bought: none in area code 415")
    assert count(PhoneNumber) == 0
