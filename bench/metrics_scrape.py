"""The cost of a scrape: `GET /metrics` p50 and p95 as the multi-process directory fills with files.

A scrape reads no table (the fleet gauges are counted by a recurring job): the benchmark counts the SQL
statements each scrape sends, and the size of the database does not enter. What grows is the directory
`PROMETHEUS_MULTIPROC_DIR`: prometheus-client reads every process's files at each scrape, and each RQ
work-horse (one per job) leaves its own. Here a child process forks that many "work-horses", each counting
what a provision counts (a job, two Twilio attempts, their latency), each in files of its own (before) or
in its worker's shared work-horse files (`webapp/metrics/files.py`), then the app scrapes in this process
(Flask test client, the token set). Target: p95 ≤ 50 ms.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import event

from bench.environment import BENCH_DATABASE_URL, BENCH_REDIS_URL
from bench.results import Table
from bench.stats import percentile, time_calls
from webapp import create_app
from webapp.config import child_environment
from webapp.extensions import db

TARGET_MS = 50.0
TOKEN = "bench-metrics-token"

WORK_HORSES = """
import os, sys
from webapp.metrics import files, jobs, twilio
for _ in range(int(sys.argv[1])):
    pid = os.fork()
    if pid == 0:
        if sys.argv[2] == "shared":
            files.become_work_horse()
        jobs.job_ended("provision", "succeeded", 1.5)
        for operation in ("search_available_numbers", "purchase_number"):
            with twilio.timed_attempt(operation):
                pass
        os._exit(0)
    os.waitpid(pid, 0)
"""
"""Run with PROMETHEUS_MULTIPROC_DIR set: forks `argv[1]` processes that each count one provision, as
work-horses do (`argv[2]` `shared`) or each in files of its own (`own`, prometheus-client's default)."""


def fill(directory: Path, horses: int, files: str) -> int:
    """Let `horses` forked processes count into `directory`; return how many files it then holds."""
    if horses:
        subprocess.run(
            [sys.executable, "-c", WORK_HORSES, str(horses), files],
            env=child_environment({"PROMETHEUS_MULTIPROC_DIR": str(directory)}),
            check=True,
        )
    return len(os.listdir(directory))


def run(quick: bool) -> list[Table]:
    table = Table(
        "Scraping /metrics (multi-process directory)",
        __doc__.split("\n\n", 1)[1].replace("\n", " ").strip(),
        ["Work-horses' files", "Work-horses", "Files", "p50 ms", "p95 ms", "SQL per scrape", "Target met"],
    )
    for files in ("own", "shared"):
        table.rows += scrape_times(files, quick)
    return [table]


def scrape_times(files: str, quick: bool) -> list[list[str]]:
    """Rows of scrape times as work-horses with `files` (`own` or `shared`) fill a fresh directory."""
    rows = []
    steps = (0, 300) if quick else (0, 100, 1000, 5000)
    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as folder:
        directory = Path(folder)
        app = create_app(
            {
                "DATABASE_URL": BENCH_DATABASE_URL,
                "REDIS_URL": BENCH_REDIS_URL,
                "SECRET_KEY": "bench-only-secret-key-not-for-production",
                "LOG_LEVEL": "WARNING",
                "METRICS_TOKEN": TOKEN,
                "PROMETHEUS_MULTIPROC_DIR": str(directory),
            }
        )
        client = app.test_client()
        statements: list[str] = []

        def scrape() -> None:
            response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code == 200, response.status_code

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        filled = 0
        for horses in steps:
            found = fill(directory, horses - filled, files)
            filled = horses
            statements.clear()
            samples = [seconds * 1000 for seconds in time_calls(scrape, 10 if quick else 30)]
            p95 = percentile(samples, 0.95)
            per_scrape = len(statements) / len(samples)
            rows.append(
                [
                    {"own": "one set per horse (before)", "shared": "one set per worker"}[files],
                    f"{horses:,}",
                    f"{found:,}",
                    f"{percentile(samples, 0.5):.1f}",
                    f"{p95:.1f}",
                    f"{per_scrape:g}",
                    "yes" if p95 <= TARGET_MS else "no",
                ]
            )
    return rows
