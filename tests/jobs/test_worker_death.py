"""A worker killed with SIGKILL in the middle of a purchase: its job fails within a bound, and a retry
adopts the number the dead job bought instead of buying a second one."""

from __future__ import annotations

import os
import signal
import time

from rq import Worker

from harness.processes import descendants
from harness.waits import wait_for_activity, wait_until
from tests.factories import make_business
from tests.jobs.helpers import activities, numbers_of
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision, retry_activity
from webapp.models import Activity, ActivityStatus

PURCHASE = "POST /IncomingPhoneNumbers.json"

DEAD_WORKER_BOUND_SECONDS = 15.0
"""With FAST_JOB_SETTINGS (1 s heartbeats, 3 missed allowed, 2 s maintenance) the job fails in ~4-8 s."""


def test_sigkilled_worker_fails_its_job_in_bounded_time_and_retry_buys_nothing_twice(
    app, sandbox, start_worker, redis_client
):
    # The sandbox buys the number at once but holds its answer back: the job dies not knowing it bought one.
    # Both workers run before the job is queued: the kill must come before the client's read timeout
    # (5 s) gives up on the answer, and starting a worker on a busy machine can take longer than that.
    sandbox.set_faults("timeout=1,hang=20,method=POST,path=/IncomingPhoneNumbers.json")
    business = make_business(preferred_area_code="415")
    workers = {worker.name: worker for worker in (start_worker(), start_worker())}
    activity = enqueue_provision(business, None)
    wait_until(lambda: sandbox.request_count(PURCHASE) == 1, 20, "the purchase to reach the sandbox")
    assert sandbox.owned_count() == 1
    [doomed] = [
        workers.pop(worker.name)
        for worker in Worker.all(connection=redis_client)
        if worker.get_current_job_id() == activity.rq_job_id
    ]
    [survivor] = workers.values()  # a live worker on the queue runs the clean-up that finds the dead job

    doomed.kill()
    killed_at = time.monotonic()
    failed = wait_for_activity(activity.id, timeout=DEAD_WORKER_BOUND_SECONDS * 2)
    took = time.monotonic() - killed_at

    assert failed.status == ActivityStatus.FAILED
    assert "worker running this job died" in failed.error and "Retry" in failed.error
    assert took < DEAD_WORKER_BOUND_SECONDS, f"the dead worker's job took {took:.1f} s to fail"
    print(f"dead worker's job failed {took:.1f} s after SIGKILL")
    assert numbers_of(business.id) == []
    assert sandbox.owned_count() == 1

    sandbox.set_faults("")
    retried = wait_for_activity(retry_activity(failed, None).id)

    assert retried.status == ActivityStatus.SUCCEEDED, retried.error + survivor.log()
    assert "Adopted" in retried.result["note"]
    [number] = numbers_of(business.id)
    [owned] = sandbox.owned_numbers()
    assert owned["sid"] == number.twilio_sid == retried.result["twilio_sid"]
    assert sandbox.request_count(PURCHASE) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 2
    assert [a.status for a in activities()] == [ActivityStatus.FAILED, ActivityStatus.SUCCEEDED]


def test_a_work_horse_killed_alone_fails_its_activity_at_once(app, sandbox, start_worker):
    sandbox.set_faults("timeout=1,hang=20,method=POST,path=/IncomingPhoneNumbers.json")
    worker = start_worker()
    activity = enqueue_provision(make_business(), None)
    wait_until(lambda: sandbox.request_count(PURCHASE) == 1, 20, "the purchase to reach the sandbox")
    # RQ's work-horse leads a process group of its own; the scheduler stays in the worker's.
    [horse] = [pid for pid in descendants(worker.pid) if os.getpgid(pid) == pid]

    os.kill(horse, signal.SIGKILL)
    failed = wait_for_activity(activity.id, timeout=10)

    assert failed.status == ActivityStatus.FAILED
    assert "worker process running this job died" in failed.error
    assert worker.running
