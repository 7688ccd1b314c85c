"""Where the benchmarks run and the facts printed above every table: machine, versions, load, date.

`BENCH_DATABASE_URL` (default `postgresql+psycopg://postgres@127.0.0.1:5432/bench`; the job benchmarks use
`<that name>_jobs` beside it) and `BENCH_REDIS_URL` (default `redis://127.0.0.1:6379/14`) choose them, so that
two checkouts on one machine can benchmark at once, each on its own.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from redis import Redis
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from harness.database import create_database_if_missing
from webapp.config import env_value

BENCH_DATABASE_URL = env_value("BENCH_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
"""The list-page benchmark's PostgreSQL database (created when missing); never the tests' database."""

BENCH_JOBS_DATABASE_URL = (
    make_url(BENCH_DATABASE_URL)
    .set(database=f"{make_url(BENCH_DATABASE_URL).database}_jobs")
    .render_as_string(hide_password=False)
)
"""The job benchmarks' database beside it (`<name>_jobs`), created when missing; each drops its tables."""

BENCH_REDIS_URL = env_value("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
"""The Redis db the benchmarked app and workers use; the job benchmarks empty it."""


def ensure_database(url: str = BENCH_DATABASE_URL) -> None:
    """Create the benchmarks' database `url` names if it does not exist."""
    create_database_if_missing(url)


def describe(engine: Engine, redis: Redis) -> dict[str, str]:
    """Return the commit, date, CPU count, load, Python, PostgreSQL and Redis versions of this run."""
    with engine.connect() as connection:
        postgres = connection.execute(text("SHOW server_version")).scalar_one()
    return {
        "commit": source_commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "load at start (1 min)": f"{os.getloadavg()[0]:.2f}",
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": str(redis.info("server")["redis_version"]),
    }


def source_commit() -> str:
    """Return the checkout's short commit id, marked when the working tree has changes ("unknown" outside
    git)."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} with local changes" if changed else commit
