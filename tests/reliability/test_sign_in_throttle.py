"""Twenty wrong passwords for one account, alternating between two gunicorn processes that share Redis: the
throttle counts them together, and still holds after the web processes are restarted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests

from harness.gunicorn import gunicorn_like_test
from tests.fixtures.web import TEST_PASSWORD, make_user

pytestmark = pytest.mark.once_in_ci  # the throttle counts in Redis, not in the database

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ATTEMPTS = 20
ALLOWED_FAILURES = 5
LIMITS = {"SIGN_IN_LIMITS_PER_ACCOUNT": f"{ALLOWED_FAILURES} per hour"}
"""An hour, so that a slow restart cannot outlast the window."""


def try_password(base_url: str, password: str) -> int:
    """Post one sign-in for agent@example.com from a fresh browser session; return the HTTP status."""
    with requests.Session() as browser:
        page = browser.get(f"{base_url}/login", timeout=10).text
        form = {"email": "agent@example.com", "password": password, "csrf_token": CSRF.search(page).group(1)}
        return browser.post(f"{base_url}/login", data=form, allow_redirects=False, timeout=10).status_code


def test_twenty_wrong_passwords_over_two_processes_are_throttled_together(
    app, app_settings: dict[str, Any], tmp_path: Path
):
    make_user("agent@example.com")
    with (
        gunicorn_like_test(app_settings, tmp_path / "first.log", settings=LIMITS) as first,
        gunicorn_like_test(app_settings, tmp_path / "second.log", settings=LIMITS) as second,
    ):
        answers = [try_password((first, second)[i % 2], "wrong password!") for i in range(ATTEMPTS)]
        assert answers == [200] * ALLOWED_FAILURES + [429] * (ATTEMPTS - ALLOWED_FAILURES), answers
        assert try_password(second, TEST_PASSWORD) == 429, "the right password got through the throttle"

    with gunicorn_like_test(app_settings, tmp_path / "restarted.log", settings=LIMITS) as restarted:
        assert try_password(restarted, TEST_PASSWORD) == 429, "a web restart reset the throttle"
