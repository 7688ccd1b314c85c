"""Cancelled businesses stop costing money: the recurring sweep and `numbers release-cancelled`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from harness.waits import wait_until, wait_until_nothing_in_flight
from tests.jobs.helpers import numbers_of, owned_numbers
from webapp.extensions import db
from webapp.jobs.enqueue.queue import get_queue
from webapp.jobs.recurring import RECURRING, job_id, schedule_recurring
from webapp.models import BusinessStatus, NumberHistory
from webapp.models.base import utcnow


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "RELEASE_CANCELLED_AFTER_DAYS": "7"}


def businesses_in_every_state():
    """Numbers of: long cancelled, recently cancelled, re-activated, suspended, trial; in that order."""
    numbers = owned_numbers(5)
    long_ago = utcnow() - timedelta(days=10)
    cancelled, suspended, trial = BusinessStatus.CANCELLED, BusinessStatus.SUSPENDED, BusinessStatus.TRIAL
    for number, status in zip(numbers, [cancelled, cancelled, cancelled, suspended, trial], strict=True):
        number.business.status = status
    numbers[0].business.cancelled_at = long_ago
    numbers[2].business.cancelled_at = long_ago
    numbers[1].business.cancelled_at = utcnow() - timedelta(days=2)
    numbers[2].business.status = BusinessStatus.ACTIVE  # re-activated in time
    db.session.commit()
    return numbers


def test_the_sweep_releases_only_businesses_cancelled_longer_than_the_setting(app, sandbox, start_worker):
    numbers = businesses_in_every_state()
    kept = {n.twilio_sid for n in numbers[1:]}
    gone = numbers[0].business_id
    start_worker()

    get_queue().enqueue("webapp.jobs.recurring.run_recurring", "release_cancelled")

    wait_until(lambda: db.session.rollback() or numbers_of(gone) == [], timeout=30, what="the release")
    wait_until_nothing_in_flight(timeout=30)
    assert {n["sid"] for n in sandbox.owned_numbers()} == kept
    [history] = db.session.scalars(db.select(NumberHistory)).all()
    assert history.business_id == gone and "cancelled for more than 7 days" in history.reason


@pytest.mark.once_in_ci  # RQ's scheduling, the same on either database
def test_a_worker_schedules_each_recurring_job_once(app, sandbox, start_worker):
    start_worker()
    start_worker()
    registry = ScheduledJobRegistry(queue=get_queue())

    wait_until(lambda: len(registry.get_job_ids()) == len(RECURRING), timeout=30, what="the schedule")
    schedule_recurring(get_queue())

    scheduled = registry.get_job_ids()
    for entry in RECURRING:
        [run] = [job for job in scheduled if job.startswith(f"recurring-{entry.name}-")]
        assert run == job_id(entry, int(run.rsplit("-", 1)[1]))


def test_release_cancelled_dry_run_lists_and_changes_nothing(app, runner, sandbox):
    numbers = businesses_in_every_state()

    result = runner.invoke(args=["numbers", "release-cancelled", "--dry-run"])

    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"{numbers[0].e164}  {numbers[0].business.name}  cancelled ")
    assert len(sandbox.owned_numbers()) == 5 and get_queue().count == 0


def test_release_cancelled_starts_one_release_each(app, runner, sandbox):
    numbers = businesses_in_every_state()

    result = runner.invoke(args=["numbers", "release-cancelled", "--days", "1"])

    assert result.exit_code == 0, result.output
    assert result.output.count("release queued") == 2
    assert numbers[0].e164 in result.output and numbers[1].e164 in result.output
