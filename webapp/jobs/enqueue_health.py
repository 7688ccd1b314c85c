"""Starting the health jobs: refresh one number's Health panel, place a test call, sweep the alerts.

Each records an Activity and enqueues its job through `enqueue.start`, like every other job.
"""

from __future__ import annotations

from flask import current_app

from webapp.jobs.enqueue import in_flight_query, requester_id, start
from webapp.jobs.test_call import NO_TEST_CALLER
from webapp.models import Activity, ActivityKind, PhoneNumber, User, ValidationError


def enqueue_health_check(number: PhoneNumber, requested_by: User | None) -> Activity:
    """Start reading `number`'s health from Twilio; returns the read in flight for it, if any.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start(
        lambda: Activity(
            kind=ActivityKind.HEALTH_CHECK,
            business_id=number.business_id,
            phone_number_id=number.id,
            requested_by_id=requester_id(requested_by),
        ),
        in_flight_query(ActivityKind.HEALTH_CHECK, Activity.phone_number_id == number.id),
    )


def enqueue_test_call(number: PhoneNumber, requested_by: User | None) -> Activity:
    """Start a test call to `number`; returns the test call in flight for it, if any.

    Raises:
        ValidationError: `TWILIO_TEST_CALLER` is not set.
        QueueUnavailable: Redis did not answer.
    """
    if not current_app.config["TWILIO_TEST_CALLER"]:
        raise ValidationError("test_caller", NO_TEST_CALLER)
    return start(
        lambda: Activity(
            kind=ActivityKind.TEST_CALL,
            business_id=number.business_id,
            phone_number_id=number.id,
            requested_by_id=requester_id(requested_by),
        ),
        in_flight_query(ActivityKind.TEST_CALL, Activity.phone_number_id == number.id),
    )
