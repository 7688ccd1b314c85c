"""Metrics from real processes: gunicorn's workers and an RQ worker's work-horses count into one shared
directory (the horses into their worker's one set of files) and one scrape adds them up; the Twilio client
counts 429s and timeouts against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from harness.gunicorn import gunicorn_like_test
from harness.waits import wait_for_activity, wait_until
from tests.factories import make_business
from tests.metrics.helpers import BEARER, TOKEN, identifying_labels, promtool, scrape, value
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityStatus
from webapp.twilio_client import RateLimited, TimedOut, get_client

pytestmark = pytest.mark.once_in_ci  # metrics files and scrapes: the same on either database

PURCHASE = "POST /IncomingPhoneNumbers.json"
HEALTHZ = {"endpoint": "health.healthz", "method": "HEAD", "status": "200"}
"""The requests this test counts: HEAD, which gunicorn's start-up check (GET, whose first try may still be
served after it timed out on a busy machine) never sends."""


def serve_until_both_workers_counted(base_url: str, directory: Path) -> int:
    """Ask for /healthz (HEAD), a new connection each time, until two processes have counted a request;
    return how many were sent."""
    sent = 0

    def both_counted() -> bool:
        nonlocal sent
        assert requests.head(f"{base_url}/healthz", headers={"Connection": "close"}, timeout=10).ok
        sent += 1
        return len(list(directory.glob("counter_*.db"))) >= 2

    wait_until(both_counted, timeout=30, what="both gunicorn workers to count a request")
    return sent


def test_gunicorn_workers_and_a_job_worker_add_up_in_one_scrape(
    app, app_settings, sandbox, start_worker, tmp_path
):
    directory = tmp_path / "metrics"
    directory.mkdir()
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(directory)}
    settings = {**shared, "METRICS_TOKEN": TOKEN, "GUNICORN_CMD_ARGS": "--access-logfile -"}
    with gunicorn_like_test(
        app_settings, tmp_path / "gunicorn.log", workers=2, settings=settings
    ) as base_url:
        before = requests.get(f"{base_url}/metrics", headers=BEARER, timeout=10).text
        served = serve_until_both_workers_counted(base_url, directory)
        activities = [enqueue_provision(make_business(preferred_area_code="415"), None) for _ in range(2)]
        start_worker(**shared)
        for activity in activities:
            assert wait_for_activity(activity.id, timeout=60).status == ActivityStatus.SUCCEEDED
        after = requests.get(f"{base_url}/metrics", headers=BEARER, timeout=10).text

    requests_served = value(after, "switchboard_http_requests_total", **HEALTHZ)
    assert requests_served - value(before, "switchboard_http_requests_total", **HEALTHZ) == served
    provisioned = {"kind": "provision", "outcome": "succeeded"}
    assert value(after, "switchboard_jobs_total", **provisioned) == 2
    assert value(after, "switchboard_job_duration_seconds_count", **provisioned) == 2
    purchases = value(after, "switchboard_twilio_requests_total", operation="purchase_number", outcome="ok")
    assert purchases == sandbox.request_count(PURCHASE) == 2
    assert value(after, "switchboard_queue_workers", queue="switchboard") == 1
    assert value(after, "switchboard_twilio_request_duration_seconds_count", operation="purchase_number") == 2
    # Both work-horses counted in their worker's one set of files, not one set each.
    assert len(list(directory.glob("counter_*horse.db"))) == 1
    assert identifying_labels(after) == []
    checked = promtool("check", "metrics", stdin=after)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    access_log = (tmp_path / "gunicorn.log").read_text()
    assert "HEAD /healthz" in access_log and "GET /metrics" not in access_log


def test_a_429_storm_moves_the_429_counter_and_lowers_the_limit(make_app, sandbox):
    app = make_app(METRICS_TOKEN=TOKEN)
    client = app.test_client()
    before = scrape(client)
    sandbox.set_faults("429=1.0")

    with pytest.raises(RateLimited):
        get_client().search_available_numbers(area_code="415")

    after = scrape(client)
    throttled = {"operation": "search_available_numbers", "outcome": "rate_limited"}
    counted = value(after, "switchboard_twilio_requests_total", **throttled)
    assert (
        counted - value(before, "switchboard_twilio_requests_total", **throttled)
        == app.config["TWILIO_MAX_ATTEMPTS"]
    )
    limit = "switchboard_twilio_concurrency_limit"
    assert value(after, limit) < value(before, limit) == app.config["TWILIO_MAX_CONCURRENCY"]
    assert identifying_labels(after) == []


def test_a_twilio_timeout_counts_as_a_timeout(make_app, sandbox):
    client = make_app(METRICS_TOKEN=TOKEN, TWILIO_READ_TIMEOUT="0.5", TWILIO_MAX_ATTEMPTS="1").test_client()
    before = scrape(client)
    sandbox.set_faults("timeout=1.0,hang=2")

    with pytest.raises(TimedOut):
        get_client().search_available_numbers(area_code="415")

    after = scrape(client)
    timed_out = {"operation": "search_available_numbers", "outcome": "timeout"}
    assert (
        value(after, "switchboard_twilio_requests_total", **timed_out)
        - value(before, "switchboard_twilio_requests_total", **timed_out)
        == 1
    )
