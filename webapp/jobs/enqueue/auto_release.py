"""Cancelled businesses stop costing money: release the number of each business cancelled for longer than
`RELEASE_CANCELLED_AFTER_DAYS` (unset: never), one release Activity each, in batches (`bulk.py`).

Only businesses cancelled now count: a suspended, trial or re-activated business is never touched (a
re-activated one has no `cancelled_at`). A number whose release is already in flight gets no second one.
"""

from __future__ import annotations

from datetime import timedelta

from webapp.extensions import db
from webapp.jobs.enqueue.bulk import activities_of, enqueue_bulk_release
from webapp.models import Activity, Business, BusinessStatus, PhoneNumber
from webapp.models.base import utcnow


def numbers_of_long_cancelled(days: int) -> list[PhoneNumber]:
    """The numbers of businesses cancelled more than `days` days ago, oldest cancellation first."""
    query = (
        db.select(PhoneNumber)
        .join(Business, PhoneNumber.business_id == Business.id)
        .where(
            Business.status == BusinessStatus.CANCELLED,
            Business.cancelled_at < utcnow() - timedelta(days=days),
        )
        .order_by(Business.cancelled_at)
    )
    return list(db.session.scalars(query))


def release_cancelled(days: int) -> list[Activity]:
    """Start releasing the numbers `numbers_of_long_cancelled` finds; return their Activities."""
    reason = f"The business has been cancelled for more than {days} days."
    return activities_of(enqueue_bulk_release(numbers_of_long_cancelled(days), None, reason))
