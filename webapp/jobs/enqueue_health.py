"""Starting the health jobs: refresh one number's Health panel (and, later, test calls and the sweep).

Each records an Activity and enqueues its job through `enqueue.start`, like every other job.
"""

from __future__ import annotations

from webapp.jobs.enqueue import in_flight_query, requester_id, start
from webapp.models import Activity, ActivityKind, PhoneNumber, User


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
