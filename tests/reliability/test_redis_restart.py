"""Redis restarted in the middle of a run, on a Redis of the test's own (other tests keep theirs).

While it is down the console stays up: the dashboard says the queue is unreachable, an action says nothing
was started (and records nothing), /healthz answers 503. Once it is back, with none of its data (it keeps
nothing on disk), the worker that lived through the outage runs what is enqueued next.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from harness.sandbox import SandboxProcess
from harness.waits import wait_for_activity, wait_until
from harness.workers import FAST_JOB_SETTINGS, sandbox_settings
from tests.admin.helpers import follow, page_text, post_action
from tests.factories import make_business
from tests.jobs.helpers import activities, buy_at_sandbox, numbers_of
from webapp.launcher import embedded_redis
from webapp.models import ActivityStatus, Role
from webapp.redis_connection import get_redis
from webapp.twilio_client import TwilioClient, TwilioSettings

pytestmark = pytest.mark.once_in_ci  # about Redis going away, not the database

WORKER_LOST_REDIS = "could not connect to Redis instance"
"""What an RQ worker logs when Redis is gone: Redis stays down until the worker's own calls fail too."""


@dataclass
class OwnRedis:
    """An embedded Redis on a unix socket that only this test uses, which it may stop and start."""

    socket_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> None:
        self.process = embedded_redis.start(self.socket_path)

    def stop(self) -> None:
        if self.process is not None:
            embedded_redis.stop(self.process)
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    """A running Redis of the test's own; a short folder, since a unix socket path has ~100 characters."""
    folder = Path(tempfile.mkdtemp(prefix="rel-redis-"))
    redis = OwnRedis(folder / "redis.sock")
    redis.start()
    yield redis
    redis.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def redis_url(own_redis: OwnRedis) -> str:
    """The app, the workers and `redis_client` all use the test's own Redis."""
    return own_redis.url


@pytest.fixture
def app_settings(app_settings: dict[str, Any], sandbox: SandboxProcess) -> dict[str, Any]:
    return {**app_settings, **sandbox_settings(sandbox), **FAST_JOB_SETTINGS}


def provision_from_the_console(client, business) -> str:  # type: ignore[no-untyped-def]
    """Click "Provision" for `business`; return the page the console shows after."""
    return follow(client, post_action(client, "business", "provision", [business.id]))


def test_redis_restarted_mid_run_keeps_the_console_up_and_work_after_it_completes(
    app, client, auth, own_redis, start_worker
):
    before, during, after = (make_business(preferred_area_code="415") for _ in range(3))
    auth.login(Role.OPERATOR)
    worker = start_worker()
    provision_from_the_console(client, before)
    [first] = activities()
    assert wait_for_activity(first.id).status == ActivityStatus.SUCCEEDED

    own_redis.stop()

    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Queue unreachable" in page_text(dashboard)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["redis"]["ok"] is False and health.json["database"]["ok"] is True
    assert "The job queue is not answering" in provision_from_the_console(client, during)
    assert len(activities()) == 1, "an Activity was recorded for a job that was never queued"
    assert client.get("/admin/business/").status_code == 200
    wait_until(lambda: WORKER_LOST_REDIS in worker.log(), 30, "the worker to find Redis gone")

    own_redis.start()

    assert client.get("/healthz").status_code == 200
    assert "Queue unreachable" not in page_text(client.get("/admin/"))
    provision_from_the_console(client, after)
    [latest] = [activity for activity in activities() if activity.business_id == after.id]
    # The worker reconnects on its own backoff, slower on a CI machine running four test processes.
    assert wait_for_activity(latest.id, timeout=90).status == ActivityStatus.SUCCEEDED
    assert len(numbers_of(after.id)) == 1 and numbers_of(during.id) == []
    assert worker.running


def test_the_account_concurrency_limit_holds_again_after_redis_restarts(app, own_redis, sandbox):
    limit = 2
    settings, redis = replace(TwilioSettings.from_config(app.config), max_concurrency=limit), get_redis()
    clients, per_thread = [], threading.local()

    def fetch(sid: str) -> str:
        if not hasattr(per_thread, "client"):  # one client per thread, as get_client() gives them
            per_thread.client = TwilioClient(settings, redis)
            clients.append(per_thread.client)
        return per_thread.client.fetch_number(sid).sid

    client = TwilioClient(settings, redis)
    clients.append(client)
    sid = buy_at_sandbox(make_business()).sid
    sandbox.set_faults(latency_ms=200)

    def burst() -> None:
        with ThreadPoolExecutor(6) as pool:
            assert set(pool.map(fetch, [sid] * 12)) == {sid}

    burst()
    assert sandbox.stats()["max_in_flight"] == limit

    own_redis.stop()
    assert client.fetch_number(sid).sid == sid, "while Redis is down, requests go out without a slot"
    own_redis.start()
    burst()  # the first requests on each stale connection find Redis gone and go without a slot
    sandbox.reset_stats()
    burst()

    traffic = sandbox.stats()
    assert (traffic["requests"], traffic["max_in_flight"], traffic["429s"]) == (12, limit, 0), traffic
    assert client.concurrency.state().in_flight == 0
    assert client.concurrency.state().limit == limit
    for built in clients:
        built.close()
