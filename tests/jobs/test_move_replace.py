"""Moving a number to another business and replacing it by a new one, end to end."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business, record_release
from tests.jobs.helpers import numbers_of, owned_numbers
from webapp.extensions import db
from webapp.jobs.enqueue.number_changes import enqueue_move, enqueue_replace
from webapp.jobs.running.twilio_state import friendly_name_for
from webapp.jobs.tasks.provision import CHOSEN_NUMBER_GONE
from webapp.models import ActivityStatus, NumberEvent, NumberHistory, PhoneNumber, ValidationError


def test_move_renames_the_number_at_twilio_and_records_it_on_both_sides(app, runner, sandbox, start_worker):
    [number] = owned_numbers(1)
    source, sid = number.business, number.twilio_sid
    target = make_business("New Owner")
    activity = enqueue_move(number, target, None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert numbers_of(source.id) == [] and [n.twilio_sid for n in numbers_of(target.id)] == [sid]
    [owned] = sandbox.owned_numbers()
    assert owned["friendly_name"] == friendly_name_for(target)
    [moved] = db.session.scalars(db.select(NumberHistory)).all()
    assert (moved.event, moved.business_id, moved.moved_to_id) == (NumberEvent.MOVED, source.id, target.id)

    # Were the row lost, `numbers orphans` would name the business that has the number now.
    record_release(db.session.scalars(db.select(PhoneNumber)).one())
    result = runner.invoke(args=["numbers", "orphans"])
    assert "belongs to New Owner, which has no number" in result.output, result.output


def test_a_number_moves_only_to_a_business_without_one(app, sandbox):
    first, second = owned_numbers(2)

    with pytest.raises(ValidationError, match="already has the number"):
        enqueue_move(first, second.business, None)
    with pytest.raises(ValidationError, match="already belongs to"):
        enqueue_move(first, first.business, None)


def test_replace_buys_the_new_number_then_releases_the_old(app, sandbox, start_worker):
    [old] = owned_numbers(1)
    business, old_sid, old_e164 = old.business, old.twilio_sid, old.e164
    activity = enqueue_replace(old, None, area_code="512")
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    [new] = numbers_of(business.id)
    assert new.area_code == "512" and done.result["new_e164"] == new.e164
    assert (done.e164, done.new_e164) == (old_e164, new.e164)  # both named after the old row went
    assert [n["sid"] for n in sandbox.owned_numbers()] == [new.twilio_sid]
    [kept] = db.session.scalars(db.select(NumberHistory)).all()
    assert (kept.twilio_sid, kept.event, kept.note) == (
        old_sid,
        NumberEvent.RELEASED,
        f"Replaced by {new.e164}.",
    )


def test_replace_with_a_failing_purchase_keeps_the_old_number(app, sandbox, start_worker):
    [old] = owned_numbers(1)
    business, old_sid = old.business, old.twilio_sid
    activity = enqueue_replace(old, None, phone_number="+15005550000")
    start_worker()

    done = wait_for_activity(activity.id)

    assert (done.status, done.error) == (ActivityStatus.FAILED, CHOSEN_NUMBER_GONE)
    assert [n.twilio_sid for n in numbers_of(business.id)] == [old_sid]
    assert [n["sid"] for n in sandbox.owned_numbers()] == [old_sid]
    assert db.session.scalars(db.select(NumberHistory)).all() == []


def test_replace_in_a_sold_out_area_code_keeps_the_old_number(app, sandbox, start_worker):
    [old] = owned_numbers(1)
    sandbox.set_pool_size(0)
    activity = enqueue_replace(old, None, area_code="617")
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED
    assert f"{old.formatted} is kept" in done.error
    assert len(sandbox.owned_numbers()) == 1 and len(numbers_of(old.business_id)) == 1
