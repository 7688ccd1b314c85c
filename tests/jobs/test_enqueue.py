"""Starting jobs: one Activity and one RQ job per request, at most one in flight per target, nothing
half-written when Redis is down."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from rq import Queue

from harness.waits import wait_for_activity
from tests.admin.helpers import counted_statements
from tests.factories import make_business, make_number
from tests.jobs.helpers import activities, count, numbers_of
from webapp import create_app
from webapp.extensions import db
from webapp.jobs.enqueue import lost_jobs, starting
from webapp.jobs.enqueue.bulk import enqueue_bulk_resync
from webapp.jobs.enqueue.kinds import (
    QueueUnavailable,
    enqueue_check,
    enqueue_provision,
    enqueue_resync,
    enqueue_resync_drifted,
    retry_activity,
)
from webapp.jobs.enqueue.queue import QUEUE_NAME
from webapp.models import Activity, ActivityKind, ActivityStatus, Business, PhoneNumber, ValidationError

CONCURRENT_REQUESTS = 10


def at_once(app, request: Callable[[], Activity]) -> list:
    """Run `request` in CONCURRENT_REQUESTS threads released together, each with its own app context and
    database session; return the Activity ids they got."""
    barrier = threading.Barrier(CONCURRENT_REQUESTS)
    ids, errors = [], []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            try:
                ids.append(request().id)
            except Exception as error:  # reported by the assertion below
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(CONCURRENT_REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return ids


def test_ten_concurrent_provisions_make_one_activity_one_job_and_one_number(
    app, redis_client, sandbox, start_worker
):
    business_id = make_business(preferred_area_code="415").id

    ids = at_once(app, lambda: enqueue_provision(db.session.get(Business, business_id), None))

    assert len(ids) == CONCURRENT_REQUESTS and len(set(ids)) == 1
    assert count(Activity) == 1
    queue = Queue(QUEUE_NAME, connection=redis_client)
    assert queue.count == 1
    assert queue.job_ids == [db.session.get(Activity, ids[0]).rq_job_id]
    start_worker()
    assert wait_for_activity(ids[0]).status == ActivityStatus.SUCCEEDED
    assert len(numbers_of(business_id)) == 1
    assert sandbox.owned_count() == 1
    assert sandbox.request_count("POST /IncomingPhoneNumbers.json") == 1


def test_ten_concurrent_resyncs_of_one_number_make_one_job(app, redis_client):
    number_id = make_number().id

    ids = at_once(app, lambda: enqueue_resync(db.session.get(PhoneNumber, number_id), None))

    assert len(set(ids)) == 1
    assert count(Activity) == 1
    assert Queue(QUEUE_NAME, connection=redis_client).count == 1


@pytest.mark.postgres_only  # SQLite's driver inserts row by row whatever the statement
def test_a_bulk_resync_inserts_its_batch_by_one_statement_each_naming_its_number(app, redis_client):
    numbers = [make_number() for _ in range(30)]
    e164s = {number.id: number.e164 for number in numbers}

    with counted_statements() as statements:
        started = enqueue_bulk_resync(numbers, None).started

    inserts = [statement for statement in statements if statement.startswith("INSERT INTO activities")]
    assert len(inserts) == 1
    assert {activity.phone_number_id: activity.e164 for activity in activities()} == e164s
    assert len(started) == 30


def test_a_provision_in_flight_is_returned_and_an_ended_one_is_not(app):
    business = make_business()
    first = enqueue_provision(business, None)
    assert enqueue_provision(business, None).id == first.id
    first.status = ActivityStatus.FAILED
    db.session.commit()
    assert enqueue_provision(business, None).id != first.id


def test_checks_and_drift_repairs_may_run_side_by_side(app, redis_client):
    number = make_number()
    assert enqueue_check(number, None).id != enqueue_check(number, None).id
    assert enqueue_resync_drifted(None).id != enqueue_resync_drifted(None).id
    assert Queue(QUEUE_NAME, connection=redis_client).count == 4


def test_a_malformed_area_code_is_refused_before_anything_is_written(app):
    with pytest.raises(ValidationError, match="3 digits"):
        enqueue_provision(make_business(), None, area_code="12")
    assert count(Activity) == 0


def test_redis_down_raises_queue_unavailable_and_writes_nothing(app_on_dead_redis):
    business = make_business()
    with pytest.raises(QueueUnavailable, match="job queue is not answering"):
        enqueue_provision(business, None)
    assert count(Activity) == 0


def test_a_failed_enqueue_removes_its_activity(app, monkeypatch):
    def refuse(*args) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError

        raise RedisConnectionError("Redis went away")

    monkeypatch.setattr(starting, "enqueue_job", refuse)
    with pytest.raises(QueueUnavailable):
        enqueue_resync(make_number(), None)
    assert count(Activity) == 0


def test_retry_refuses_an_activity_that_has_not_failed(app):
    activity = enqueue_provision(make_business(), None)
    with pytest.raises(ValidationError, match="Only a failed activity can be retried"):
        retry_activity(activity, None)


@pytest.mark.parametrize(
    "start",
    [
        lambda: enqueue_provision(make_business(), None, area_code="212"),
        lambda: enqueue_resync(make_number(), None),
        lambda: enqueue_check(make_number(), None),
        lambda: enqueue_check([make_number(), make_number()], None),
        lambda: enqueue_check(None, None),
        lambda: enqueue_resync_drifted(None),
    ],
    ids=["provision", "resync", "check-one", "check-list", "check-all", "resync-drifted"],
)
def test_retry_starts_the_same_kind_of_job_for_the_same_target(app, start):
    failed = start()
    failed.status = ActivityStatus.FAILED
    db.session.commit()

    again = retry_activity(failed, None)

    assert again.id != failed.id and again.status == ActivityStatus.QUEUED
    assert (again.kind, again.business_id, again.phone_number_id) == (
        failed.kind,
        failed.business_id,
        failed.phone_number_id,
    )
    assert (again.result or {}) == (failed.result or {})


def test_a_lost_job_does_not_block_its_business_for_good(app, redis_client):
    business = make_business()
    lost = enqueue_provision(business, None)
    Queue(QUEUE_NAME, connection=redis_client).empty()  # as if Redis had restarted empty
    lost.created_at = lost.created_at - lost_jobs.LOST_JOB_GRACE
    db.session.commit()

    again = enqueue_provision(business, None)

    assert again.id != lost.id
    [old, new] = activities()
    assert old.status == ActivityStatus.FAILED and "was lost" in old.error
    assert new.kind == ActivityKind.PROVISION and new.status == ActivityStatus.QUEUED


def test_threads_on_separate_apps_share_nothing_but_the_database(app, app_settings):
    """Ten processes' worth of sessions: each thread builds its own app (own engine and pool)."""
    business_id = make_business().id
    apps = [create_app(app_settings) for _ in range(CONCURRENT_REQUESTS)]
    barrier = threading.Barrier(CONCURRENT_REQUESTS)
    ids: list = []

    def run(own_app) -> None:
        with own_app.app_context():
            barrier.wait()
            ids.append(enqueue_provision(db.session.get(Business, business_id), None).id)
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(own,)) for own in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == CONCURRENT_REQUESTS and len(set(ids)) == 1
    assert count(Activity) == 1
