"""Failed sign-ins are throttled per account and per client address; successes never count."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from harness.waits import wait_until
from harness.web import csrf_token
from tests.fixtures.web import TEST_PASSWORD, make_user
from webapp.auth.sign_in import SIGN_IN_FAILED
from webapp.auth.throttle import storage_uri, wait_text

pytestmark = pytest.mark.once_in_ci  # the throttle counts in Redis, not in the database

WAIT = re.compile(r"Too many failed sign-ins\. Try again in (\d+) (second|minute)s?\.")


def sign_in(client: FlaskClient, email: str, password: str = "not the password"):  # type: ignore[no-untyped-def]
    form = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=form)


def wait_shown(response) -> int:  # type: ignore[no-untyped-def]
    """The wait the refusal names, in seconds (a minute counts as 60)."""
    match = WAIT.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return int(match.group(1)) * (60 if match.group(2) == "minute" else 1)


def test_after_five_failures_the_account_waits_even_with_the_right_password(client, app, caplog):
    make_user("agent@example.com")
    for _ in range(5):
        assert SIGN_IN_FAILED in sign_in(client, "agent@example.com").get_data(as_text=True)
    caplog.set_level("WARNING")
    refused = sign_in(client, "Agent@Example.com", TEST_PASSWORD)
    assert refused.status_code == 429
    assert 0 < wait_shown(refused) <= 61 and 0 < int(refused.headers["Retry-After"]) <= 61  # whole seconds
    assert "sign-in throttled from 127.0.0.1" in caplog.text
    assert client.get("/admin/").status_code == 302, "a throttled sign-in signed in"


def test_a_locked_account_stays_locked_whatever_the_body_encoding(client, app):
    make_user("agent@example.com")
    for _ in range(5):
        assert SIGN_IN_FAILED in sign_in(client, "agent@example.com").get_data(as_text=True)
    token = csrf_token(client)
    right = {"email": "agent@example.com", "password": TEST_PASSWORD}

    as_json = client.post("/login", json=right, headers={"X-CSRFToken": token})
    as_multipart = client.post(
        "/login", data={**right, "csrf_token": token}, content_type="multipart/form-data"
    )

    assert as_json.status_code == 415, as_json.get_data(as_text=True)[:2000]
    assert "not JSON" in as_json.get_data(as_text=True)
    assert as_multipart.status_code == 429
    assert client.get("/admin/").status_code == 302, "a locked account signed in"


def test_successful_sign_ins_do_not_count(client, app):
    make_user("agent@example.com")
    for _ in range(8):
        assert sign_in(client, "agent@example.com", TEST_PASSWORD).status_code == 302
    assert sign_in(client, "agent@example.com").status_code == 200


@pytest.fixture
def tight_address_limit(make_app):  # type: ignore[no-untyped-def]
    return make_app(SIGN_IN_LIMITS_PER_ADDRESS="3 per hour")


def test_one_address_trying_many_accounts_is_throttled(tight_address_limit, client, app):
    for number in range(3):
        assert sign_in(client, f"guess{number}@example.com").status_code == 200
    refused = sign_in(client, "another-guess@example.com")
    assert refused.status_code == 429
    assert 3540 < wait_shown(refused) <= 3660


@pytest.fixture
def short_first_tier(make_app):  # type: ignore[no-untyped-def]
    # 10 s, not 2: three sign-ins must fit in the first tier's window on a busy machine
    return make_app(SIGN_IN_LIMITS_PER_ACCOUNT="2 per 10 seconds; 4 per hour")


def test_the_wait_grows_with_each_tier(short_first_tier, client, app):
    assert [sign_in(client, "agent@example.com").status_code for _ in range(2)] == [200, 200]
    first = sign_in(client, "agent@example.com")
    assert first.status_code == 429 and wait_shown(first) <= 11  # `limits` keeps whole seconds
    failures = 2
    while failures < 4:
        wait_until(lambda: sign_in(client, "agent@example.com").status_code == 200, 20, "the first tier")
        failures += 1
    second = sign_in(client, "agent@example.com")
    assert second.status_code == 429 and wait_shown(second) > 3000


def test_the_counts_live_in_the_apps_redis(client, app, redis_client):
    sign_in(client, "agent@example.com")
    assert any(b"sign-in" in key for key in redis_client.keys("*")), redis_client.keys("*")


def test_a_unix_socket_url_is_given_to_limits_in_its_own_spelling():
    assert storage_uri("unix:///srv/redis.sock") == "redis+unix:///srv/redis.sock"
    assert storage_uri("redis://cache:6379/2") == "redis://cache:6379/2"


@pytest.mark.parametrize(
    ("seconds", "text"), [(1, "1 second"), (42, "42 seconds"), (61, "61 seconds"), (121, "3 minutes")]
)
def test_the_wait_is_said_in_words(seconds, text):
    assert wait_text(seconds) == text


def test_limits_are_validated_settings(app_settings):
    from webapp import create_app
    from webapp.config import SettingsError

    with pytest.raises(SettingsError, match="SIGN_IN_LIMITS_PER_ACCOUNT"):
        create_app({**app_settings, "SIGN_IN_LIMITS_PER_ACCOUNT": "lots"})
