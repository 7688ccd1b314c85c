"""Starting the jobs that settle an orphan a webhook check found: adopt it, or release it at Twilio.

An orphan is given as the check named it (`e164`, `sid`, `friendly_name`); the Activity records it, and the
business its FriendlyName names when that still exists. A release is a `release` Activity like any other,
so it never runs beside a provision, release, move or replacement of that business (which could adopt the
same number); an adoption may, and the one-number-per-business index refuses the loser.
"""

from __future__ import annotations

import uuid
from typing import Any

from webapp.extensions import db
from webapp.jobs.enqueue.number_changes import check_reason
from webapp.jobs.enqueue.starting import requester_id, start_activity
from webapp.jobs.running.twilio_state import business_id_named
from webapp.models import Activity, ActivityKind, Business, User


def named_business_id(orphan: dict[str, Any]) -> uuid.UUID | None:
    """The id of the existing business the orphan's FriendlyName names, or None."""
    business_id = business_id_named(orphan["friendly_name"])
    if business_id is None or db.session.get(Business, business_id) is None:
        return None
    return business_id


def enqueue_orphan_adoption(
    orphan: dict[str, Any], requested_by: User | None, *, force: bool = False
) -> Activity:
    """Start recording the orphan as the number of the business it names, with our configuration;
    `force` takes it even when it is set up for someone else.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start_activity(
        lambda: Activity(
            kind=ActivityKind.ADOPT,
            business_id=named_business_id(orphan),
            e164=orphan["e164"],
            requested_by_id=requester_id(requested_by),
            result={"orphan": orphan, **({"force": True} if force else {})},
        ),
        None,
    )


def enqueue_orphan_release(orphan: dict[str, Any], requested_by: User | None, reason: str | None) -> Activity:
    """Start releasing the orphan at Twilio, recording it in the number history with `reason`.

    Raises:
        ValidationError: the reason is too long, or a change of its business's number is in flight.
        QueueUnavailable: Redis did not answer.
    """
    reason = check_reason(reason)
    return start_activity(
        lambda: Activity(
            kind=ActivityKind.RELEASE,
            business_id=named_business_id(orphan),
            e164=orphan["e164"],
            requested_by_id=requester_id(requested_by),
            result={"orphan": orphan, **({"reason": reason} if reason else {})},
        ),
        None,
    )
