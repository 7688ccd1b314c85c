"""Test data and look-ups shared by the jobs tests."""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import Activity, PhoneNumber


def count(model: type) -> int:
    """Return how many rows `model` has, read in a new transaction."""
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def numbers_of(business_id) -> list[PhoneNumber]:
    """Return the numbers recorded for a business (zero or one)."""
    db.session.rollback()
    return list(db.session.scalars(db.select(PhoneNumber).filter_by(business_id=business_id)))


def activities() -> list[Activity]:
    """Return every Activity, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(db.select(Activity).order_by(Activity.created_at)))
