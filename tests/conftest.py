"""Shared fixtures: real services (tests/fixtures/services.py), a fresh app and database per test.

The developer's `.env` is kept out of the test process and every process it starts: a test says what it
runs on.

Under CI=true a skipped test is a failure: a missing tool or service must never pass silently.
Tests marked `postgres_only` are deselected (not skipped) on SQLite; CI's PostgreSQL run covers them.
Under CI=true, so are tests marked `once_in_ci` (slow, and the same on either database), which include
every test of the Twilio client, of the sandbox and of the browser, and every test that builds no app on
the test database (no `make_app` among its fixtures: settings, subprocesses on their own database, pure
functions).
"""

from __future__ import annotations

import pytest

from harness.database import create_database_if_missing
from harness.services import keep_dotenv_out
from harness.testing_env import services_for_tests

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.web",
    "tests.fixtures.prism",
    "tests.fixtures.sandbox",
    "tests.fixtures.workers",
    "tests.fixtures.live_server",
    "tests.fixtures.voice_server",
]


def pytest_configure(config: pytest.Config) -> None:
    keep_dotenv_out()
    database_url = services_for_tests()["TEST_DATABASE_URL"] or ""
    if database_url.startswith("postgres"):
        create_database_if_missing(database_url)  # under pytest-xdist, each test process has its own


ONCE_IN_CI_FOLDERS = ("twilio_client", "sandbox", "browser")
"""Test folders whose subjects do not depend on the database: the Twilio client and the sandbox never use
it, and the browser sees the same pages on either. Their tests count as `once_in_ci`."""


DATABASE_FIXTURE = "make_app"
"""The fixture every test on the test database depends on (through `app`, `client`, `auth`...)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        uses_no_database = DATABASE_FIXTURE not in getattr(item, "fixturenames", ())
        if item.path.parent.name in ONCE_IN_CI_FOLDERS or uses_no_database:
            item.add_marker(pytest.mark.once_in_ci)
    services = services_for_tests()
    if (services["TEST_DATABASE_URL"] or "").startswith("postgres"):
        return
    markers = ("postgres_only", "once_in_ci") if services["CI"] else ("postgres_only",)
    deselected = [item for item in items if any(item.get_closest_marker(marker) for marker in markers)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if services_for_tests()["CI"] and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which must run every test: {report.longrepr}"
