"""Starting the health jobs: refresh one number's Health panel, place a test call, sweep the alerts.

Each records an Activity and enqueues its job through `starting.start_activity`, like every other job.
"""

from __future__ import annotations

from flask import current_app

from webapp.jobs.enqueue.starting import in_flight_query, requester_id, start_activity, start_for_number
from webapp.models import Activity, ActivityKind, PhoneNumber, User, ValidationError

NO_TEST_CALLER = "Set TWILIO_TEST_CALLER to a number the Twilio account owns to place test calls."
"""Why no test call can be placed; the console's button says it too."""


def enqueue_health_check(number: PhoneNumber, requested_by: User | None) -> Activity:
    """Start reading `number`'s health from Twilio; returns the read in flight for it, if any.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start_for_number(ActivityKind.HEALTH_CHECK, number, requested_by)


def enqueue_test_call(number: PhoneNumber, requested_by: User | None) -> Activity:
    """Start a test call to `number`; returns the test call in flight for it, if any.

    Raises:
        ValidationError: `TWILIO_TEST_CALLER` is not set.
        QueueUnavailable: Redis did not answer.
    """
    if not current_app.config["TWILIO_TEST_CALLER"]:
        raise ValidationError("test_caller", NO_TEST_CALLER)
    return start_for_number(ActivityKind.TEST_CALL, number, requested_by)


def enqueue_health_sweep(requested_by: User | None) -> Activity:
    """Start reading the account's new alerts into every number's failing-webhook state (one at a time).

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start_activity(
        lambda: Activity(kind=ActivityKind.HEALTH_SWEEP, requested_by_id=requester_id(requested_by)),
        in_flight_query(ActivityKind.HEALTH_SWEEP, Activity.kind == ActivityKind.HEALTH_SWEEP),
    )
