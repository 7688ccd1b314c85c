"""What the job benchmarks run against: their own PostgreSQL database and Redis db, the sandbox, workers.

`job_services(...)` gives a `JobServices`: an app on `BENCH_JOBS_DATABASE_URL` (tables created afresh) and
`BENCH_REDIS_URL` (emptied), a sandbox subprocess, and `start_workers(n)`. The sandbox and worker processes
are the harness's (`harness/sandbox.py`, `harness/workers.py`), so the benchmarks start them exactly as the
tests do; the workers run with the production defaults for heartbeats, retries and breakers.
"""

from __future__ import annotations

import tempfile
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
from sqlalchemy import insert

from bench.environment import BENCH_JOBS_DATABASE_URL, BENCH_REDIS_URL, ensure_database
from harness.database import reset_schema
from harness.sandbox import SandboxProcess, start_sandbox_process
from harness.workers import WorkerProcess, next_worker_name, sandbox_settings, worker_environment
from webapp import create_app
from webapp.extensions import db
from webapp.models import Business, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.redis_connection import redis_from_url

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
                name=next_worker_name("bench-worker"),
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
def job_services(
    latency_ms: int = 0, redis_url: str = BENCH_REDIS_URL, **settings: Any
) -> Iterator[JobServices]:
    """Start the sandbox and build the app on fresh services; stop everything afterwards.

    `redis_url` is the Redis the app and the workers use (`BENCH_REDIS_URL` unless a benchmark runs one of
    its own); `settings` go to the app and to the workers on top of the benchmark's defaults.
    """
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as directory:
        state_dir = Path(directory)
        sandbox = start_sandbox_process(state_dir, latency_ms=latency_ms, pool_size=POOL_SIZE)
        ensure_database(BENCH_JOBS_DATABASE_URL)
        redis = redis_from_url(redis_url)
        redis.flushdb()
        all_settings = {
            "SECRET_KEY": "bench-jobs-key-not-a-secret-of-any-kind",
            "DATABASE_URL": BENCH_JOBS_DATABASE_URL,
            "REDIS_URL": redis_url,
            "SWITCHBOARD_INSTANCE_PATH": str(state_dir),
            **sandbox_settings(sandbox),
            "TWILIO_VOICE_URL": VOICE_URL,
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        app = create_app(all_settings)
        services = JobServices(app, sandbox, all_settings, state_dir, redis)
        try:
            with app.app_context():
                reset_schema()
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
