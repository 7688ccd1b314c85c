"""Starting the jobs that take a number from a business: release, move to another business, replace.

Each records an `Activity` and enqueues its job through `starting.start_for_number`, as every job starts.
At most one provision, release, move or replace is in flight per business
(`uq_activities_number_change_in_flight`): asking for a second one returns the same job when it is the same
request (a double click), and otherwise is refused with a sentence saying what is under way.
"""

from __future__ import annotations

import logging

from webapp.extensions import db
from webapp.jobs.enqueue.kinds import requested_purchase
from webapp.jobs.enqueue.lost_jobs import live_activity
from webapp.jobs.enqueue.starting import in_flight_query, start_for_number
from webapp.models import IN_FLIGHT, Activity, ActivityKind, Business, PhoneNumber, User, ValidationError
from webapp.models.activity import NUMBER_CHANGES

logger = logging.getLogger(__name__)

REASON_MAX = 500
"""The longest reason a release may record."""

CHANGE_NAMES = {
    ActivityKind.PROVISION: "a provision",
    ActivityKind.RELEASE: "a release",
    ActivityKind.MOVE: "a move",
    ActivityKind.REPLACE: "a replacement",
}


def change_in_flight(business_id: object) -> Activity | None:
    """Return the provision, release, move or replace in flight for the business, if any."""
    return live_activity(
        db.select(Activity).where(
            Activity.business_id == business_id,
            Activity.kind.in_(NUMBER_CHANGES),
            Activity.status.in_(IN_FLIGHT),
        )
    )


def emergency_in_flight(number: PhoneNumber) -> Activity | None:
    """Return the number's emergency-address job in flight, if any."""
    return live_activity(
        in_flight_query(ActivityKind.EMERGENCY_ADDRESS, Activity.phone_number_id == number.id)
    )


def refuse_if_busy(number: PhoneNumber, kind: ActivityKind) -> Activity | None:
    """Return the job of `kind` already in flight for `number` (a second click), or None when there is none.

    Raises:
        ValidationError: another change of the business's number, or of its emergency address, is in flight.
    """
    running = change_in_flight(number.business_id)
    if running is None:
        if emergency_in_flight(number) is not None:
            raise ValidationError(
                "phone_number",
                f"The emergency address of {number.formatted} is being changed; wait until that ends.",
            )
        return None
    if running.kind == kind and running.phone_number_id == number.id:
        return running
    raise ValidationError(
        "phone_number",
        f"{CHANGE_NAMES[running.kind].capitalize()} of {number.business.name}'s number is in flight; "
        "wait until it ends.",
    )


def check_reason(reason: str | None) -> str | None:
    """Return the reason stripped (None when blank).

    Raises:
        ValidationError: it is longer than `REASON_MAX`.
    """
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise ValidationError("reason", f"The reason must be at most {REASON_MAX} characters.")
    return reason


def enqueue_release(number: PhoneNumber, requested_by: User | None, reason: str | None = None) -> Activity:
    """Start releasing `number` at Twilio; returns the release already in flight for it, if any.

    Raises:
        ValidationError: the reason is too long, or another change of the business's number is in flight.
        QueueUnavailable: Redis did not answer.
    """
    reason = check_reason(reason)
    running = refuse_if_busy(number, ActivityKind.RELEASE)
    if running is not None:
        return running
    result = {"e164": number.e164, "twilio_sid": number.twilio_sid, **({"reason": reason} if reason else {})}
    return start_for_number(ActivityKind.RELEASE, number, requested_by, result)


def enqueue_move(number: PhoneNumber, target: Business, requested_by: User | None) -> Activity:
    """Start moving `number` from its business to `target`; returns the same move in flight, if any.

    Raises:
        ValidationError: `target` is its business or has a number, or a change of either business's
            number is in flight.
        QueueUnavailable: Redis did not answer.
    """
    refusal = move_refusal(number, target)
    if refusal:
        raise ValidationError("business", refusal)
    running = refuse_if_busy(number, ActivityKind.MOVE)
    if running is not None:
        return running
    moving = {"e164": number.e164, "twilio_sid": number.twilio_sid, "moved_to_id": str(target.id)}
    return start_for_number(ActivityKind.MOVE, number, requested_by, {**moving, "moved_to": target.name})


def move_refusal(number: PhoneNumber, target: Business) -> str | None:
    """Why `number` may not move to `target` (a sentence), or None when it may."""
    if target.id == number.business_id:
        return f"{number.formatted} already belongs to {target.name}."
    if target.phone_number is not None:
        return f"{target.name} already has the number {target.phone_number.formatted}; a business has one."
    busy = change_in_flight(target.id)
    if busy is not None:
        return f"{CHANGE_NAMES[busy.kind].capitalize()} of {target.name}'s number is in flight; wait for it."
    return None


def enqueue_replace(
    number: PhoneNumber,
    requested_by: User | None,
    area_code: str | None = None,
    phone_number: str | None = None,
) -> Activity:
    """Start replacing `number` by a new one (exactly `phone_number`, else one in `area_code`, else in the
    old number's area code): buy the new one first, then release the old.

    Raises:
        ValidationError: a malformed area code or number, both given, or a change in flight.
        QueueUnavailable: Redis did not answer.
    """
    wanted = requested_purchase(area_code, phone_number) or {"requested_area_code": number.area_code}
    running = refuse_if_busy(number, ActivityKind.REPLACE)
    if running is not None:
        return running
    result = {"e164": number.e164, "twilio_sid": number.twilio_sid, **wanted}
    return start_for_number(ActivityKind.REPLACE, number, requested_by, result)
