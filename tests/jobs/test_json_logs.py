"""`LOG_FORMAT=json` in a real worker: every line it writes is one JSON object, and the lines of a job a
request started carry that request's id, the job's id and its Activity's."""

from __future__ import annotations

import json

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.log_context import REQUEST_ID_HEADER
from webapp.models import ActivityStatus

pytestmark = pytest.mark.once_in_ci  # log lines: the same on either database


def test_a_jobs_json_lines_carry_the_id_of_the_request_that_started_it(app, sandbox, start_worker):
    with app.test_request_context(headers={REQUEST_ID_HEADER: "click-42"}):
        activity = enqueue_provision(make_business(), None)
    worker = start_worker(LOG_FORMAT="json")

    assert wait_for_activity(activity.id, timeout=60).status == ActivityStatus.SUCCEEDED
    worker.stop()

    lines = [json.loads(line) for line in worker.log().splitlines() if line.strip()]
    of_the_job = [line for line in lines if line["job_id"] == activity.rq_job_id]
    assert len(of_the_job) >= 3, lines[-5:]
    assert {(line["request_id"], line["activity_id"]) for line in of_the_job} == {
        ("click-42", str(activity.id))
    }
    assert {"time", "level", "logger", "message", "user_id"} <= set(of_the_job[0])
