"""Activity: defaults, SET NULL on delete and the one-in-flight rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_business, make_number, record_release
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, ValidationError, commit_or_raise
from webapp.models.base import utcnow


def test_defaults_and_duration(app):
    activity = Activity(kind=ActivityKind.PROVISION, business=make_business())
    db.session.add(activity)
    db.session.commit()
    assert activity.status == ActivityStatus.QUEUED and activity.attempts == 0
    assert activity.is_in_flight and activity.duration_seconds is None
    activity.started_at = utcnow()
    activity.finished_at = activity.started_at + timedelta(seconds=2)
    assert activity.duration_seconds == 2


def test_activity_outlives_its_business(app):
    number = make_number()
    activity = Activity(kind=ActivityKind.WEBHOOK_RESYNC, business=number.business, phone_number=number)
    db.session.add(activity)
    db.session.commit()
    business = number.business
    record_release(number)
    db.session.delete(business)
    db.session.commit()
    db.session.refresh(activity)
    assert activity.business_id is None and activity.phone_number_id is None


def test_one_provision_in_flight_per_business(app):
    business = make_business()
    db.session.add(Activity(kind=ActivityKind.PROVISION, business=business, status=ActivityStatus.FAILED))
    db.session.add(Activity(kind=ActivityKind.PROVISION, business=business))
    db.session.commit()
    db.session.add(Activity(kind=ActivityKind.PROVISION, business=business, status=ActivityStatus.RUNNING))
    with pytest.raises(ValidationError, match="already in flight"):
        commit_or_raise(db.session)
