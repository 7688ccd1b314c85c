"""What a real worker logs when Twilio refuses a job for good: one line, with the Activity and the reason."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business
from tests.jobs.helpers import buy_at_sandbox, record
from webapp.jobs.enqueue.kinds import enqueue_resync
from webapp.models import ActivityStatus

pytestmark = pytest.mark.once_in_ci  # log lines: the same on either database


def test_a_permanent_twilio_refusal_is_one_log_line_without_a_traceback(app, sandbox, start_worker):
    business = make_business()
    number = record(business, buy_at_sandbox(business))
    sandbox.set_faults("400=1.0,method=POST,path=/IncomingPhoneNumbers/")  # the webhook update is refused
    activity = enqueue_resync(number, None)
    worker = start_worker()
    done = wait_for_activity(activity.id)
    worker.stop()  # everything it had to say about the job is in its log now

    assert done.status == ActivityStatus.FAILED and "(Twilio error 400)" in done.error, done.error
    log = worker.log()
    assert "Traceback" not in log, log
    failures = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert len(failures) == 1, log
    assert str(activity.id) in failures[0] and done.error in failures[0], failures
