"""Buying a number chosen from a search: the provision job buys exactly that one, or nothing."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business
from tests.jobs.helpers import numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision, retry_activity
from webapp.jobs.running.twilio_state import friendly_name_for
from webapp.jobs.tasks.provision import CHOSEN_NUMBER_GONE
from webapp.models import ActivityStatus, ValidationError
from webapp.twilio_client import get_client
from webapp.twilio_client.configuration import NumberConfiguration

PURCHASE = "POST /IncomingPhoneNumbers.json"


def test_a_chosen_number_is_bought_exactly(app, sandbox, start_worker):
    business = make_business(preferred_area_code="415")
    [chosen] = get_client().search_available_numbers(number_type="toll-free", contains="888", limit=1)
    activity = enqueue_provision(business, None, phone_number=chosen.phone_number)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    [number] = numbers_of(business.id)
    assert number.e164 == chosen.phone_number == done.result["requested_number"]
    assert sandbox.owned_numbers() == [
        {
            "sid": number.twilio_sid,
            "phone_number": chosen.phone_number,
            "friendly_name": friendly_name_for(business),
        }
    ]


def test_a_number_taken_between_search_and_buy_fails_with_nothing_bought(app, sandbox, start_worker):
    business = make_business()
    [chosen] = get_client().search_available_numbers(area_code="212", limit=1)
    taken = get_client().purchase_number(
        chosen.phone_number, "someone else", NumberConfiguration("https://example.com/voice")
    )
    activity = enqueue_provision(business, None, phone_number=chosen.phone_number)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED
    assert done.error == CHOSEN_NUMBER_GONE
    assert numbers_of(business.id) == []
    assert [n["sid"] for n in sandbox.owned_numbers()] == [taken.sid]
    assert sandbox.request_count(PURCHASE) == 2  # theirs, then our one refused attempt


@pytest.mark.parametrize(
    "magic", ["+15005550000", "+15005550001"], ids=["21422-unavailable", "21421-invalid"]
)
def test_twilio_magic_numbers_that_cannot_be_bought_fail_the_same_way(app, sandbox, start_worker, magic):
    business = make_business()
    activity = enqueue_provision(business, None, phone_number=magic)
    start_worker()

    done = wait_for_activity(activity.id)

    assert (done.status, done.error) == (ActivityStatus.FAILED, CHOSEN_NUMBER_GONE)
    assert sandbox.owned_count() == 0 and numbers_of(business.id) == []


def test_retry_of_a_failed_choice_asks_for_the_same_number(app, sandbox, start_worker):
    business = make_business()
    activity = enqueue_provision(business, None, phone_number="+15005550000")
    start_worker()
    wait_for_activity(activity.id)

    again = retry_activity(wait_for_activity(activity.id), None)

    assert again.result == {"requested_number": "+15005550000"}


def test_a_number_and_an_area_code_together_are_refused(app):
    with pytest.raises(ValidationError, match="not both"):
        enqueue_provision(make_business(), None, area_code="415", phone_number="+14155550100")
