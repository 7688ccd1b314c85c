"""Transient Twilio failures are retried by RQ with the Activity showing attempts and the last error;
permanent ones fail at once."""

from __future__ import annotations

import pytest

from harness.waits import in_new_transaction, wait_for_activity, wait_until
from tests.factories import make_business
from tests.jobs.helpers import numbers_of
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import Activity, ActivityStatus

# RQ's retries and the attempts they count are the same on either database.
pytestmark = pytest.mark.once_in_ci


def wait_for_retry_wait(activity_id) -> Activity:
    """Return the Activity once its first attempt failed transiently and it waits for RQ's retry."""

    def waiting() -> bool:
        activity = db.session.get(Activity, activity_id)
        return activity.attempts == 1 and activity.status == ActivityStatus.QUEUED

    wait_until(in_new_transaction(waiting), 20, "the first attempt to fail transiently", poll=0.02)
    return db.session.get(Activity, activity_id)


def test_transient_failures_are_retried_and_the_activity_shows_them(app, sandbox, start_worker):
    sandbox.set_faults("503=1")
    business = make_business()
    activity = enqueue_provision(business, None)
    start_worker()

    waiting = wait_for_retry_wait(activity.id)
    assert waiting.error.startswith("Attempt 1 failed, retrying in 1 s:")
    assert "Twilio error 20503" in waiting.error
    sandbox.set_faults("")

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED and done.attempts == 2 and done.error is None
    assert len(numbers_of(business.id)) == 1


def test_transient_failures_fail_the_activity_once_retries_are_used_up(make_app, sandbox, start_worker):
    make_app(JOB_RETRY_INTERVALS="1")
    sandbox.set_faults("500=1")
    activity = enqueue_provision(make_business(), None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED and done.attempts == 2
    assert done.error.startswith("Twilio: ") and "(Attempts: 2.)" in done.error
    assert "Retry" in done.error


def test_a_rejected_auth_token_fails_at_once(app, sandbox, start_worker):
    activity = enqueue_provision(make_business(), None)
    start_worker(TWILIO_AUTH_TOKEN="not-the-token")

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED and done.attempts == 1
    assert "Twilio error 20003" in done.error
    assert "not-the-token" not in done.error
