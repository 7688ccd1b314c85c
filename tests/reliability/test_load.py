"""Load: 50 signed-in users browse lists, search and open details for 60 seconds against gunicorn (Locust,
headless, on loopback). No request may fail (so no 5xx); the p95 is printed and written to
`test-output/load-report.txt`.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.gunicorn import gunicorn_like_test
from tests.fixtures.web import TEST_PASSWORD
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, Business, PhoneNumber, Role, User

pytestmark = pytest.mark.once_in_ci  # the same pages under load on either database; a minute long

USERS = 50
RUN_SECONDS = 60
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
REPORT = PROJECT_ROOT / "test-output" / "load-report.txt"
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 4
KEEP_ALIVE_SECONDS = 10
"""Longer than a user's pause (at most 2 s): gunicorn's default 2 s races the client's reuse of a connection
it is closing, and the request fails with a reset that is not the app's (a proxy in front does the same)."""


def seed_console(accounts: int) -> dict[str, Any]:
    """Businesses, numbers, activities and `accounts` users (one password hash, hashed once)."""
    template = User(email="load-0@example.com", role=Role.OPERATOR)
    template.set_password(TEST_PASSWORD)
    users = [template] + [
        User(email=f"load-{i}@example.com", role=Role.VIEWER, password_hash=template.password_hash)
        for i in range(1, accounts)
    ]
    businesses = [
        Business(name=f"Load Bakery {i:03d}", contact_email=f"shop{i}@example.com") for i in range(300)
    ]
    numbers = [
        PhoneNumber(
            business=business,
            e164=f"+1415555{i:04d}",
            twilio_sid=f"PN{i:032x}",
            capabilities={"voice": True, "sms": True, "mms": False, "fax": False},
        )
        for i, business in enumerate(businesses[:200])
    ]
    activities = [
        Activity(kind=ActivityKind.PROVISION, status=ActivityStatus.SUCCEEDED, business=business, attempts=1)
        for business in businesses[:200]
    ]
    db.session.add_all([*users, *businesses, *numbers, *activities])
    db.session.commit()
    return {
        "emails": [user.email for user in users],
        "password": TEST_PASSWORD,
        "businesses": [str(business.id) for business in businesses],
        "numbers": [str(number.id) for number in numbers],
        "searches": ["Bakery 01", "shop12@", "415-555-0012", "(415) 555", "+14155550199", "nothing here"],
    }


@pytest.fixture
def gunicorn(app, app_settings: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """The test's app served by gunicorn on a free loopback port; yields its base URL."""
    with gunicorn_like_test(
        app_settings,
        tmp_path / "gunicorn.log",
        workers=GUNICORN_WORKERS,
        threads=GUNICORN_THREADS,
        keep_alive=KEEP_ALIVE_SECONDS,
    ) as base_url:
        yield base_url


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def report(stats: list[dict[str, str]]) -> str:
    """The report's text: p50/p95/p99 and counts, overall and per page."""
    lines = [
        f"{USERS} users, {RUN_SECONDS} s, gunicorn {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads"
    ]
    columns = ("requests", "failures", "p50 ms", "p95 ms", "p99 ms")
    lines.append(f"{'method':<6} {'page':<33} " + " ".join(f"{column:>8}" for column in columns))
    for row in stats:
        lines.append(
            f"{row['Type']:<6} {row['Name']:<33} {row['Request Count']:>8} {row['Failure Count']:>8} "
            f"{row['50%']:>8} {row['95%']:>8} {row['99%']:>8}"
        )
    return "\n".join(lines) + "\n"


def test_fifty_users_browse_for_a_minute_without_a_single_failure(app, gunicorn, tmp_path):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps(seed_console(USERS)))
    prefix = tmp_path / "load"
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        gunicorn,
        "--targets",
        str(targets),
    ]
    command += ["-u", str(USERS), "-r", str(USERS), "-t", f"{RUN_SECONDS}s", "--stop-timeout", "5"]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]

    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=RUN_SECONDS + 60)

    stats = read_rows(Path(f"{prefix}_stats.csv"))
    failures = read_rows(Path(f"{prefix}_failures.csv"))
    text = report(stats)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    print(text)
    [total] = [row for row in stats if row["Name"] == "Aggregated"]
    assert not failures, f"failed requests: {failures}\n{finished.stderr[-2000:]}"
    assert int(total["Request Count"]) > USERS * RUN_SECONDS // 4, "the users barely made any requests"
