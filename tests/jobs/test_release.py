"""The release job, end to end: a real worker, Redis, and the sandbox over HTTP."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.waits import wait_for_activity, wait_until_nothing_in_flight
from tests.factories import make_business
from tests.fixtures.web import make_user
from tests.jobs.helpers import count, numbers_of, owned_numbers, timed_batch
from webapp.extensions import db
from webapp.jobs.enqueue.bulk import activities_of, enqueue_bulk_release
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.jobs.enqueue.number_changes import enqueue_move, enqueue_release
from webapp.jobs.enqueue.queue import get_queue
from webapp.jobs.tasks.release import ALREADY_RELEASED
from webapp.models import (
    Activity,
    ActivityStatus,
    NumberEvent,
    NumberHistory,
    PhoneNumber,
    Role,
    ValidationError,
)
from webapp.twilio_client import NotFound, get_client


def history() -> list[NumberHistory]:
    db.session.rollback()
    return list(db.session.scalars(db.select(NumberHistory)))


def test_release_removes_the_number_everywhere_and_keeps_its_history(app, sandbox, start_worker):
    [number] = owned_numbers(1)
    business, e164, sid = number.business, number.e164, number.twilio_sid
    admin = make_user("admin@example.com", Role.ADMIN)
    activity = enqueue_release(number, admin, "Closed the shop")
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert (done.result["e164"], done.result["twilio_sid"], done.result["reason"]) == (
        e164,
        sid,
        "Closed the shop",
    )
    assert "note" not in done.result
    assert numbers_of(business.id) == []
    [kept] = history()
    assert (kept.event, kept.e164, kept.twilio_sid, kept.business_id, kept.business_name) == (
        NumberEvent.RELEASED,
        e164,
        sid,
        business.id,
        business.name,
    )
    assert (kept.by_id, kept.reason, kept.activity_id, kept.note) == (
        admin.id,
        "Closed the shop",
        done.id,
        None,
    )
    assert sandbox.owned_numbers() == []
    with pytest.raises(NotFound):
        get_client().fetch_number(sid)


def test_a_number_already_gone_at_twilio_is_released_with_a_note(app, sandbox, start_worker):
    [number] = owned_numbers(1)
    get_client().release_number(number.twilio_sid)
    activity = enqueue_release(number, None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert done.result["note"] == ALREADY_RELEASED
    assert count(PhoneNumber) == 0 and [h.note for h in history()] == [ALREADY_RELEASED]


def test_a_double_clicked_release_makes_one_job(app, sandbox):
    [number] = owned_numbers(1)

    first = enqueue_release(number, None)
    second = enqueue_release(number, None, "clicked again")

    assert second.id == first.id
    assert count(Activity) == 1 and get_queue().count == 1


def test_a_release_and_a_provision_of_one_business_never_run_together(app, sandbox):
    [number] = owned_numbers(1)
    release = enqueue_release(number, None)

    with pytest.raises(ValidationError, match="in flight"):
        enqueue_provision(number.business, None)

    db.session.rollback()
    other = make_business()
    provision = enqueue_provision(other, None)
    assert provision.id != release.id and count(Activity) == 2


def test_a_release_waits_for_the_provision_in_flight(app, sandbox):
    [number] = owned_numbers(1)
    db.session.add(Activity(kind="provision", business_id=number.business_id, rq_job_id="in-flight"))
    db.session.commit()

    with pytest.raises(
        ValidationError, match=r"A provision of .*'s number is in flight; wait until it ends\."
    ):
        enqueue_release(number, None)
    assert count(Activity) == 1


def test_a_bulk_release_sends_its_batch_side_by_side_each_recorded_apart(app, sandbox, start_worker):
    numbers = owned_numbers(10)
    get_client().release_number(numbers[0].twilio_sid)  # gone at Twilio already
    start_worker()

    reason = "Closing the branch"
    # 1 s a request, so that a busy machine's overhead stays well inside the half of 10 s allowed
    ended, elapsed = timed_batch(sandbox, 1000, lambda: enqueue_bulk_release(numbers, None, reason))

    assert [a.status for a in ended] == [ActivityStatus.SUCCEEDED] * 10, [a.error for a in ended]
    assert len({a.rq_job_id for a in ended}) == 1, "one job for the batch"
    assert ended[0].result["note"] == ALREADY_RELEASED
    assert {a.result["reason"] for a in ended} == {reason}
    assert sandbox.owned_numbers() == [] and count(PhoneNumber) == 0
    assert sandbox.stats()["max_in_flight"] >= 9, sandbox.stats()
    assert elapsed < 10 * 1.0 / 2, f"10 releases of 1 s or more each took {elapsed:.1f} s"


def test_a_bulk_release_starts_nothing_while_another_change_of_one_number_is_in_flight(app, sandbox):
    numbers = owned_numbers(3)
    get_queue().empty()
    enqueue_provision(make_business(), None)  # another business: no bearing
    moving = make_business()
    enqueue_move(numbers[1], moving, None)

    with pytest.raises(ValidationError, match="in flight"):
        enqueue_bulk_release(numbers, None)
    assert count(Activity) == 2


def test_fifty_bulk_releases_under_faults_leave_twilio_and_the_database_agreeing(app, sandbox, start_worker):
    numbers = owned_numbers(50)
    original = {n.twilio_sid for n in numbers}
    sandbox.set_faults("500=0.3,429=0.1,drop=0.1", seed=13)
    activities = activities_of(enqueue_bulk_release(numbers, None))
    for _ in range(2):
        start_worker()

    wait_until_nothing_in_flight(timeout=240)

    sandbox.set_faults("")
    db.session.rollback()
    at_twilio = {n["sid"] for n in sandbox.owned_numbers()}
    recorded = set(db.session.scalars(db.select(PhoneNumber.twilio_sid)))
    released = Counter(h.twilio_sid for h in history())
    assert at_twilio == recorded, "Twilio and the database disagree about the numbers owned"
    assert max(released.values()) == 1, "a number was released twice"
    assert set(released) | recorded == original and not set(released) & recorded, "a number was lost"
    ended = [wait_for_activity(a.id) for a in activities]
    assert all(a.error for a in ended if a.status == ActivityStatus.FAILED)
    assert sum(a.status == ActivityStatus.SUCCEEDED for a in ended) == len(released) >= 45
    assert any(a.attempts > 1 for a in ended), "no release needed an RQ retry: the faults did not reach them"
