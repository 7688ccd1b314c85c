"""The factory: settings validation, the production secret-key rule, error pages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.services import DOTENV_OFF
from webapp import create_app
from webapp.config import PROJECT_ROOT, SettingsError, load_settings, persistent_secret_key

PRODUCTION_DATABASE = {"DATABASE_URL": "postgresql+psycopg://switchboard@db.internal/switchboard"}
"""A real database URL: the app then runs as in production (nothing is connected at start)."""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must start with"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL must start with"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL must be a URL"),
        ({"TWILIO_API_BASE_URL": "ftp://x"}, "TWILIO_API_BASE_URL must be a URL"),
        ({"TWILIO_VOICE_URL": "voice"}, "TWILIO_VOICE_URL must be a URL"),
        ({"TWILIO_READ_TIMEOUT": "soon"}, "TWILIO_READ_TIMEOUT must be a number"),
        ({"BREAKER_FAIL_MAX": "0"}, "greater than zero"),
        ({"WEB_PORT": "http"}, "WEB_PORT must be a whole number"),
        ({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN must be set"),
        ({"PUBLIC_BASE_URL": "switchboard.example.com"}, "PUBLIC_BASE_URL must be a URL"),
        ({"PUBLIC_BASE_URL": "https://switchboard.example.com/?x=1"}, "PUBLIC_BASE_URL must be a URL like"),
        ({"TRUSTED_PROXIES": "-1"}, "TRUSTED_PROXIES must be a whole number, 0 or more"),
        ({"PROVISION_FALLBACK": "anywhere"}, "PROVISION_FALLBACK must be one of off, near, region"),
        ({"TRUSTED_PROXIES": "two"}, "TRUSTED_PROXIES must be a whole number, 0 or more"),
        ({"CALL_EVENTS_KEEP_DAYS": "0"}, "CALL_EVENTS_KEEP_DAYS must be greater than zero"),
    ],
)
def test_invalid_settings_name_the_setting(overrides, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(overrides)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ""),
        (
            {"PUBLIC_BASE_URL": "https://switchboard.example.com/"},
            "https://switchboard.example.com/twilio/call-status",
        ),
        (
            {
                "PUBLIC_BASE_URL": "https://switchboard.example.com",
                "TWILIO_STATUS_CALLBACK_URL": "https://x.test/s",
            },
            "https://x.test/s",
        ),
    ],
    ids=["neither", "public-base-url", "explicit-wins"],
)
def test_the_status_callback_is_the_receiver_at_public_base_url_unless_set(overrides, expected):
    assert load_settings(overrides)["TWILIO_STATUS_CALLBACK_URL"] == expected


def test_postgres_urls_use_psycopg_3():
    settings = load_settings({"DATABASE_URL": "postgres://u@h/db"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_embedded_defaults_live_in_the_instance_folder(tmp_path):
    settings = load_settings(
        {"SWITCHBOARD_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""}
    )
    assert settings["INSTANCE_PATH"] == str(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'switchboard.db'}"
    assert settings["REDIS_URL"] == f"unix://{tmp_path / 'redis.sock'}" and settings["REDIS_EMBEDDED"] is True


@pytest.fixture
def developers_dotenv() -> Iterator[Path]:
    """A `.env` in the project root with bogus settings, as a developer may leave one; put back after."""
    path = PROJECT_ROOT / ".env"
    original = path.read_bytes() if path.exists() else None
    path.write_bytes((original or b"") + BOGUS_DOTENV.encode())
    try:
        yield path
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


BOGUS_DOTENV = "\nTWILIO_VOICE_URL=https://dotenv.invalid/voice\nTWILIO_MAX_ATTEMPTS=not-a-number\n"
"""A setting that would show in the app, and a malformed one that would stop it (and its workers)."""


def test_the_developers_dotenv_reaches_neither_the_app_under_test_nor_its_workers(
    developers_dotenv, make_app, start_worker
):
    app = make_app()
    assert app.config["TWILIO_VOICE_URL"] == "http://localhost:3000/voice"
    assert app.config["TWILIO_MAX_ATTEMPTS"] == 3
    worker = start_worker()  # a worker that read the `.env` would exit at once on the malformed setting
    assert "TWILIO_MAX_ATTEMPTS" not in worker.log()
    assert "https://dotenv.invalid" not in load_settings()["TWILIO_VOICE_URL"]


@pytest.mark.parametrize("production", [PRODUCTION_DATABASE, {"REDIS_URL": "redis://redis.internal:6379/0"}])
def test_production_refuses_the_default_secret_key(tmp_path, production):
    with pytest.raises(SettingsError, match="SECRET_KEY is unset"):
        create_app({"SECRET_KEY": "", "SWITCHBOARD_INSTANCE_PATH": str(tmp_path), **production})
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_short_secret_key_and_takes_a_long_one(tmp_path):
    settings = {"SWITCHBOARD_INSTANCE_PATH": str(tmp_path), **PRODUCTION_DATABASE}
    with pytest.raises(SettingsError, match="SECRET_KEY must be at least 32 characters, got 31"):
        create_app({"SECRET_KEY": "k" * 31, **settings})
    assert create_app({"SECRET_KEY": "k" * 32, **settings}).secret_key == "k" * 32


def run_wsgi(env: dict[str, str], code: str = "import wsgi") -> subprocess.CompletedProcess:
    """Run `python -c code` in the checkout with only `env` (and never the checkout's `.env`)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**env, **DOTENV_OFF},
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_flask(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run `flask --app wsgi ARGS` in the checkout with only `env` (and never the checkout's `.env`)."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env={**env, **DOTENV_OFF},
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


PRINT_SECRET_KEY = "import wsgi; print(wsgi.app.secret_key)"


@pytest.mark.parametrize(
    "extra", [{}, {"FLASK_DEBUG": "1", **PRODUCTION_DATABASE}], ids=["embedded", "debug"]
)
def test_local_commands_share_the_secret_key_make_run_keeps(tmp_path, extra):
    env = {"PATH": "/usr/bin:/bin", "SWITCHBOARD_INSTANCE_PATH": str(tmp_path), **extra}
    created = run_wsgi(env, PRINT_SECRET_KEY)  # the first command creates the key file
    assert created.returncode == 0, created.stderr
    key = (tmp_path / "secret_key").read_text()
    assert created.stdout.strip() == key and len(key) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert persistent_secret_key(tmp_path) == key  # the launcher's, passed to what make run starts
    assert run_wsgi(env, PRINT_SECRET_KEY).stdout.strip() == key


def test_debug_in_production_without_a_key_says_so_in_one_warning_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SWITCHBOARD_INSTANCE_PATH": str(tmp_path), **PRODUCTION_DATABASE}
    debug = run_wsgi({**env, "FLASK_DEBUG": "1"})
    assert debug.returncode == 0, debug.stderr
    warnings = [line for line in debug.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "FLASK_DEBUG is on and SECRET_KEY unset" in warnings[0], debug.stderr
    assert "Secure flag" in warnings[0]
    keyed = run_wsgi({**env, "FLASK_DEBUG": "1", "SECRET_KEY": "k" * 40})
    assert keyed.returncode == 0 and "FLASK_DEBUG" not in keyed.stderr, keyed.stderr


def test_users_create_works_after_make_run_without_a_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SWITCHBOARD_INSTANCE_PATH": str(tmp_path)}
    persistent_secret_key(tmp_path)
    upgraded = run_flask(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    created = run_flask(
        env, "users", "create", "a@example.com", "--password-stdin", stdin="a long password\n"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created viewer a@example.com."


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": "", **PRODUCTION_DATABASE}, "switchboard: SECRET_KEY is unset"),
        ({"SECRET_KEY": "too short", **PRODUCTION_DATABASE}, "switchboard: SECRET_KEY must be at least 32"),
        ({"SECRET_KEY": "x" * 32, "DATABASE_URL": "mysql://x"}, "switchboard: DATABASE_URL must start with"),
    ],
)
def test_bad_settings_stop_the_app_with_one_line_not_a_traceback(tmp_path, env, message):
    result = run_wsgi({"PATH": "/usr/bin:/bin", "SWITCHBOARD_INSTANCE_PATH": str(tmp_path), **env})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [message + result.stderr.strip().split(message, 1)[1]]
    assert "Traceback" not in result.stderr


def test_unknown_page_is_a_plain_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not Found" in response.get_data(as_text=True)


def test_unexpected_error_is_a_plain_500_without_traceback(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body


CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PLACEHOLDERS = {"IntegerConverter": 1, "UUIDConverter": "00000000-0000-0000-0000-000000000001"}


def anonymous_answer(client, app, rule) -> str:
    """How a route answers a request that changes something, sent without sign-in or CSRF token:
    `csrf` (refused for the token), `sign-in` (sent to sign in), or `open` (the view itself answered)."""
    values = {
        name: PLACEHOLDERS.get(type(converter).__name__, "x") for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
    method = sorted(rule.methods & CHANGING_METHODS)[0]
    response = client.open(url, method=method)
    if response.status_code == 400 and "CSRF" in response.get_data(as_text=True):
        return "csrf"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "sign-in"
    return "open"


def test_the_status_callback_receiver_is_the_only_route_open_without_sign_in_and_csrf_token(app, client):
    rules = [rule for rule in app.url_map.iter_rules() if rule.methods & CHANGING_METHODS]
    answers = {rule.rule: anonymous_answer(client, app, rule) for rule in rules}
    assert len(answers) > 20  # the console's forms and actions, rq-dashboard's buttons, the receiver
    assert {rule for rule, answer in answers.items() if answer == "open"} == {"/twilio/call-status"}
