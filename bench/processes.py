"""What the job benchmarks run against: their own PostgreSQL database and Redis db, the sandbox, workers.

`job_services(...)` gives a `JobServices`: an app on the `bench_jobs` database (tables created afresh) and
Redis db 9 (emptied), a sandbox subprocess, and `start_workers(n)`. The sandbox and worker processes are the
test suite's own (`tests/fixtures/sandbox.py`, `tests/fixtures/workers.py`), so the benchmarks start them
exactly as the tests do; the workers run with the production defaults for heartbeats, retries and breakers.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from redis import Redis
from rq import Worker
from sqlalchemy import insert, text

from bench.environment import ensure_database
from tests.fixtures.sandbox import SandboxProcess
from tests.fixtures.workers import WorkerProcess, worker_environment
from webapp import create_app
from webapp.extensions import db
from webapp.models import Business, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.redis_connection import redis_from_url

BENCH_JOBS_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_jobs"
"""The job benchmarks' own database, created when missing; every job benchmark drops its tables first."""

BENCH_REDIS_URL = "redis://127.0.0.1:6379/9"
"""The job benchmarks' Redis db, emptied by every benchmark."""

VOICE_URL = "http://localhost:3000/voice"
"""The voice URL the benchmarks' settings expect."""

ELSEWHERE = "https://elsewhere.example.com/voice"
"""The voice URL the seeded numbers start with at the sandbox: every one has drifted."""

AREA_CODES = ("206", "212", "213", "303", "305", "312", "404", "415", "510", "512", "617", "646", "702")
"""Area codes the seeded numbers come from (the sandbox sells up to 9,900 numbers in each)."""

POOL_SIZE = 1000
"""Numbers the sandbox offers per area code: enough for 10,000 seeded numbers and the provisions."""

SEED_THREADS = 8
"""Concurrent purchase requests while seeding the sandbox."""

_worker_names = itertools.count(1)


@dataclass
class JobServices:
    """The app, the sandbox and the settings workers get; `start_workers` starts more of them."""

    app: Flask
    sandbox: SandboxProcess
    settings: dict[str, Any]
    state_dir: Path
    redis: Redis
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_workers(self, count: int, **env: Any) -> list[WorkerProcess]:
        """Start `count` workers at once and wait until each is registered with Redis."""
        started = [
            WorkerProcess(
                name=f"bench-worker-{os.getpid()}-{next(_worker_names)}",
                log_path=self.state_dir / "workers.log",
                environment=worker_environment(self.settings, env),
            )
            for _ in range(count)
        ]
        self.workers += started
        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(lambda worker: worker.start(self.redis), started))
        return started

    def stop_workers(self) -> None:
        """Stop every worker started (each finishes its job in hand first)."""
        with ThreadPoolExecutor(max_workers=max(1, len(self.workers))) as pool:
            list(pool.map(WorkerProcess.stop, self.workers))
        self.workers.clear()

    def worker_job_counts(self) -> dict[str, int]:
        """Return how many jobs each live worker has finished, by name (RQ's own counters)."""
        return {
            worker.name: worker.successful_job_count + worker.failed_job_count
            for worker in Worker.all(connection=self.redis)
        }


@contextmanager
def job_services(latency_ms: int = 0, **settings: Any) -> Iterator[JobServices]:
    """Start the sandbox and build the app on fresh services; stop everything afterwards.

    `settings` go to the app and to the workers on top of the benchmark's defaults.
    """
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as directory:
        state_dir = Path(directory)
        sandbox = SandboxProcess(state_dir, latency_ms=latency_ms, pool_size=POOL_SIZE)
        sandbox.start()
        ensure_database(BENCH_JOBS_DATABASE_URL)
        redis = redis_from_url(BENCH_REDIS_URL)
        redis.flushdb()
        all_settings = {
            "SECRET_KEY": "bench-jobs-not-a-secret",
            "DATABASE_URL": BENCH_JOBS_DATABASE_URL,
            "REDIS_URL": BENCH_REDIS_URL,
            "SWITCHBOARD_INSTANCE_PATH": str(state_dir),
            "TWILIO_ACCOUNT_SID": sandbox.account_sid,
            "TWILIO_AUTH_TOKEN": sandbox.auth_token,
            "TWILIO_API_BASE_URL": sandbox.base_url,
            "TWILIO_VOICE_URL": VOICE_URL,
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        app = create_app(all_settings)
        services = JobServices(app, sandbox, all_settings, state_dir, redis)
        try:
            with app.app_context():
                db.drop_all()
                db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
                db.create_all()
                yield services
                db.session.remove()
                db.engine.dispose()
        finally:
            services.stop_workers()
            sandbox.stop()
            redis.flushdb()
            redis.close()


def seed_numbers(services: JobServices, count: int) -> list[uuid.UUID]:
    """Buy `count` numbers at the sandbox (voice URL elsewhere) and record each as a drifted business number.

    Purchases go through the sandbox's API at its current latency (set 0 ms first); the rows are inserted
    in bulk. Returns the ids of the number rows.
    """
    session = requests.Session()
    session.auth = (services.sandbox.account_sid, services.sandbox.auth_token)
    account = services.sandbox.account_sid
    url = f"{services.sandbox.base_url}/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"
    wanted = [f"+1{AREA_CODES[i % len(AREA_CODES)]}555{100 + i // len(AREA_CODES):04d}" for i in range(count)]

    def buy(phone_number: str) -> str:
        answer = session.post(url, data={"PhoneNumber": phone_number, "VoiceUrl": ELSEWHERE}, timeout=30)
        answer.raise_for_status()
        return answer.json()["sid"]

    with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
        sids = list(pool.map(buy, wanted))
    session.close()
    business_rows = [
        {"id": uuid.uuid4(), "name": f"Bench business {i:05d}", "status": BusinessStatus.ACTIVE}
        for i in range(count)
    ]
    number_rows = [
        {
            "id": uuid.uuid4(),
            "business_id": business["id"],
            "e164": e164,
            "twilio_sid": sid,
            "area_code": e164[2:5],
            "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
            "voice_url": ELSEWHERE,
            "webhook_status": WebhookStatus.DRIFTED,
        }
        for business, e164, sid in zip(business_rows, wanted, sids, strict=True)
    ]
    db.session.execute(insert(Business), business_rows)
    db.session.execute(insert(PhoneNumber), number_rows)
    db.session.commit()
    return [row["id"] for row in number_rows]


def wait_until(condition: Any, timeout: float, poll: float = 0.05) -> float:
    """Poll `condition()` (in a new transaction each time) until it is true; return the time it became so.

    Raises:
        TimeoutError: still false after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        if condition():
            return time.perf_counter()
        if time.monotonic() > deadline:
            raise TimeoutError(f"Still waiting after {timeout:g} s")
        time.sleep(poll)
