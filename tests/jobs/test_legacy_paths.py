"""Jobs queued by the previous release, by their old dotted paths, still run after the job modules moved."""

from __future__ import annotations

import pytest
from rq.job import Job
from rq.utils import import_attribute

from harness.waits import wait_for_activity
from tests.factories import make_business
from webapp.jobs.enqueue import enqueue_provision, get_queue
from webapp.jobs.enqueue import queue as job_queue
from webapp.jobs.running.legacy_paths import keep_old_job_paths
from webapp.models import ActivityKind, ActivityStatus

pytestmark = pytest.mark.once_in_ci  # RQ's dotted paths: the same on either database

PREVIOUS_RELEASE_PATHS = [
    "webapp.jobs.provision.provision_business_number",
    "webapp.jobs.provision.provision_batch",
    "webapp.jobs.webhooks.resync_webhook",
    "webapp.jobs.webhooks.resync_webhook_batch",
    "webapp.jobs.webhooks.check_webhooks",
    "webapp.jobs.webhooks.resync_drifted",
    "webapp.jobs.release.release_number",
    "webapp.jobs.release.release_batch",
    "webapp.jobs.move.move_number",
    "webapp.jobs.replace.replace_number",
    "webapp.jobs.number_health.refresh_health",
    "webapp.jobs.test_call.place_test_call",
    "webapp.jobs.health_sweep.sweep_health",
    "webapp.jobs.health_sweep.start_recurring_sweep",
    "webapp.jobs.auto_release.release_cancelled_job",
    "webapp.jobs.number_costs.read_prices",
    "webapp.jobs.price_reads.read_prices_job",
    "webapp.jobs.failures.record_job_failure",
    "webapp.jobs.recurring.run_recurring",
]
"""Every job function and callback path the previous release put on the queue or the scheduler."""


@pytest.mark.parametrize("path", PREVIOUS_RELEASE_PATHS)
def test_every_old_job_path_imports_the_function_it_named(path):
    keep_old_job_paths()

    function = import_attribute(path)

    assert callable(function) and function.__name__ == path.rsplit(".", 1)[1]


def test_a_provision_queued_by_its_old_path_runs_in_a_worker(app, sandbox, start_worker, monkeypatch):
    old = "webapp.jobs.provision.provision_business_number"
    monkeypatch.setitem(job_queue.JOBS, ActivityKind.PROVISION, job_queue.JobSpec(old, 300))
    monkeypatch.setattr(job_queue, "FAILURE_CALLBACK", "webapp.jobs.failures.record_job_failure")
    business = make_business(preferred_area_code="415")
    activity = enqueue_provision(business, None)
    assert Job.fetch(activity.rq_job_id, connection=get_queue().connection).func_name == old
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert done.result["e164"].startswith("+1415")
    assert len(sandbox.owned_numbers()) == 1
