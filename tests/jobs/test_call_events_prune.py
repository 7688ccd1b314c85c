"""The recurring prune keeps `CALL_EVENTS_KEEP_DAYS` days of status callbacks, each number's last call, and
13 months of daily call totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from harness.waits import wait_until
from tests.factories import make_number
from webapp.extensions import db
from webapp.jobs.enqueue.queue import get_queue
from webapp.models import CallDay, CallEvent, CallReport, PhoneNumber, record_call
from webapp.models.base import utcnow


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "CALL_EVENTS_KEEP_DAYS": "10"}


def test_the_prune_deletes_callbacks_older_than_the_setting_and_keeps_the_last_call(app, start_worker):
    number = make_number()
    for sid, days in (("CA" + "1" * 32, 11), ("CA" + "2" * 32, 9)):
        record_call(
            CallReport(
                sid, "completed", number.e164, "+14155550199", "inbound", 30, utcnow() - timedelta(days=days)
            )
        )
    old = db.session.scalars(select(CallEvent).filter_by(call_sid="CA" + "1" * 32)).one()
    old.received_at = utcnow() - timedelta(days=11)  # as if it had arrived then
    today = utcnow().date()
    db.session.add_all(
        CallDay(
            phone_number_id=number.id,
            day=today - timedelta(days=days),
            calls=1,
            completed=1,
            long_calls=1,
            talk_seconds=30,
        )
        for days in (396, 397)  # 13 months kept, to the day
    )
    db.session.commit()
    start_worker()

    get_queue().enqueue("webapp.jobs.recurring.run_recurring", "prune_call_events")

    def kept() -> list[str]:
        db.session.rollback()
        return list(db.session.scalars(select(CallEvent.call_sid)))

    wait_until(lambda: kept() == ["CA" + "2" * 32], timeout=30, what="the prune")
    assert db.session.get(PhoneNumber, number.id).last_call_status == "completed"
    days = sorted(db.session.scalars(select(CallDay.day).where(CallDay.phone_number_id == number.id)))
    assert days == [today - timedelta(days=396), today - timedelta(days=11), today - timedelta(days=9)]
