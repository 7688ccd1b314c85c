"""Starting jobs, one function per kind: the console and the CLI call these (and `bulk_resync` for many
re-syncs at once).

Each function records an `Activity` (`queued`, with the id of its RQ job), enqueues the job and returns the
Activity; at most one provision per business and one re-sync per number are in flight (`starting`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select

from webapp.extensions import db
from webapp.jobs.enqueue.starting import in_flight_query, requester_id, start_activity
from webapp.jobs.running.errors import QueueUnavailable
from webapp.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Business,
    PhoneNumber,
    User,
    ValidationError,
)
from webapp.models.phone_format import check_area_code, normalise_e164

__all__ = [
    "QueueUnavailable",
    "enqueue_check",
    "enqueue_provision",
    "enqueue_resync",
    "enqueue_resync_drifted",
    "retry_activity",
]


def enqueue_provision(
    business: Business,
    requested_by: User | None,
    area_code: str | None = None,
    phone_number: str | None = None,
) -> Activity:
    """Start provisioning a number for `business`: exactly `phone_number` when given (one chosen from a
    search), else one in `area_code`, else in its preferred one, else anywhere.

    Returns the provision already in flight for it, if there is one.

    Raises:
        ValidationError: `area_code` or `phone_number` is malformed, or both are given.
        QueueUnavailable: Redis did not answer.
    """
    requested = requested_purchase(area_code, phone_number)
    return start_activity(
        lambda: Activity(
            kind=ActivityKind.PROVISION,
            business_id=business.id,
            requested_by_id=requester_id(requested_by),
            result=dict(requested) or None,
        ),
        in_flight_query(ActivityKind.PROVISION, Activity.business_id == business.id),
    )


def requested_purchase(area_code: str | None, phone_number: str | None) -> dict[str, str]:
    """Return what a purchase asks for, as the provision and replace jobs read it from their Activity:
    `requested_number` (normalised), or `requested_area_code`, or neither.

    Raises:
        ValidationError: the area code or number is malformed, or both are given.
    """
    if area_code is not None:
        check_area_code(area_code)
    if area_code is not None and phone_number is not None:
        raise ValidationError("phone_number", "Give an area code or a number to buy, not both.")
    if phone_number:
        return {"requested_number": normalise_e164(phone_number, "phone_number")}
    return {"requested_area_code": area_code} if area_code else {}


def enqueue_resync(number: PhoneNumber, requested_by: User | None) -> Activity:
    """Start setting `number`'s voice webhook to today's settings; returns the re-sync in flight, if any.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start_activity(
        lambda: resync_activity(number.id, number.business_id, requested_by),
        resync_in_flight(number.id),
    )


def resync_activity(
    number_id: uuid.UUID, business_id: uuid.UUID, requested_by: User | None, **columns: object
) -> Activity:
    """Return a new (unsaved) re-sync Activity for a number, with any other `columns` given."""
    return Activity(
        kind=ActivityKind.WEBHOOK_RESYNC,
        business_id=business_id,
        phone_number_id=number_id,
        requested_by_id=requester_id(requested_by),
        **columns,
    )


def resync_in_flight(number_id: uuid.UUID) -> Select[Activity]:
    """Return the select of the number's re-sync in flight."""
    return in_flight_query(ActivityKind.WEBHOOK_RESYNC, Activity.phone_number_id == number_id)


def enqueue_check(
    numbers_or_all: PhoneNumber | list[PhoneNumber] | None, requested_by: User | None
) -> Activity:
    """Start checking the webhooks of one number, a list of numbers, or all (None), as one Activity.

    Raises:
        ValidationError: the list is empty.
        QueueUnavailable: Redis did not answer.
    """
    fields: dict[str, object] = {}
    if isinstance(numbers_or_all, PhoneNumber):
        fields = {"phone_number_id": numbers_or_all.id, "business_id": numbers_or_all.business_id}
    elif numbers_or_all is not None:
        if not numbers_or_all:
            raise ValidationError("numbers", "Choose at least one number to check.")
        fields = {"result": {"number_ids": sorted(str(number.id) for number in numbers_or_all)}}
    return start_activity(
        lambda: Activity(
            kind=ActivityKind.WEBHOOK_CHECK, requested_by_id=requester_id(requested_by), **fields
        ),
        None,
    )


def enqueue_resync_drifted(requested_by: User | None) -> Activity:
    """Start a job that enqueues a re-sync for every drifted or erroring number.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    return start_activity(
        lambda: Activity(kind=ActivityKind.RESYNC_DRIFTED, requested_by_id=requester_id(requested_by)), None
    )


def retry_activity(activity: Activity, requested_by: User | None) -> Activity:
    """Start the failed `activity` again: the same kind of job for the same target.

    Raises:
        ValidationError: the activity has not failed, or its target no longer exists.
        QueueUnavailable: Redis did not answer.
    """
    if activity.status != ActivityStatus.FAILED:
        raise ValidationError(
            "status", f"Only a failed activity can be retried; this one is {activity.status}."
        )
    saved = activity.result or {}
    if activity.kind == ActivityKind.PROVISION:
        if activity.business is None:
            raise ValidationError("business", "The business of this activity was deleted.")
        return enqueue_provision(
            activity.business,
            requested_by,
            saved.get("requested_area_code"),
            saved.get("requested_number"),
        )
    if activity.kind == ActivityKind.WEBHOOK_RESYNC:
        if activity.phone_number is None:
            raise ValidationError("phone_number", "The number of this activity was deleted.")
        return enqueue_resync(activity.phone_number, requested_by)
    if activity.kind == ActivityKind.WEBHOOK_CHECK:
        return enqueue_check(checked_numbers(activity), requested_by)
    if activity.kind == ActivityKind.RESYNC_DRIFTED:
        return enqueue_resync_drifted(requested_by)
    raise ValidationError("kind", f"A {activity.kind} activity cannot be retried from here.")


def checked_numbers(activity: Activity) -> PhoneNumber | list[PhoneNumber] | None:
    """Return what a check Activity checked: its number, those of its list that still exist, or None (all).

    Raises:
        ValidationError: its numbers were deleted.
    """
    listed = (activity.result or {}).get("number_ids")
    if activity.phone_number_id is not None:
        numbers = [activity.phone_number] if activity.phone_number is not None else []
    elif listed is not None:
        ids = [uuid.UUID(text) for text in listed]
        numbers = list(db.session.scalars(db.select(PhoneNumber).where(PhoneNumber.id.in_(ids))))
    else:
        return None
    if not numbers:
        raise ValidationError("phone_number", "The numbers of this activity were deleted.")
    return numbers[0] if activity.phone_number_id is not None else numbers
