"""A provision that gives up while Twilio is unreachable, after one of its purchases went through with the
answer lost: the number is found once Twilio answers again and adopted, never left billing unrecorded."""

from __future__ import annotations

from harness.waits import wait_for_activity, wait_until_nothing_in_flight
from tests.factories import make_business
from tests.jobs.helpers import activities, buy_at_sandbox, numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityKind, ActivityStatus

LISTING = "GET /IncomingPhoneNumbers.json"


def test_a_number_bought_before_the_provision_gave_up_is_adopted_once_twilio_answers(
    app, sandbox, start_worker
):
    business = make_business(preferred_area_code="415")
    bought = buy_at_sandbox(business)  # as a purchase whose answer was lost would have left it
    sandbox.set_faults("503=1")
    provision = enqueue_provision(business, None)
    start_worker()

    given_up = wait_for_activity(provision.id, timeout=60)
    assert given_up.status == ActivityStatus.FAILED, given_up.result
    assert numbers_of(business.id) == []
    looks_before = sandbox.request_count(LISTING)
    sandbox.set_faults("")
    wait_until_nothing_in_flight(timeout=60)

    [number] = numbers_of(business.id)
    assert number.twilio_sid == bought.sid
    [adoption] = [a for a in activities() if a.kind == ActivityKind.ADOPT]
    assert (adoption.status, adoption.business_id) == (ActivityStatus.SUCCEEDED, business.id)
    assert wait_for_activity(provision.id).status == ActivityStatus.FAILED  # its story stays true
    assert sandbox.request_count(LISTING) > looks_before
    assert [n["sid"] for n in sandbox.owned_numbers()] == [bought.sid]  # nothing bought again
