"""Settings: read once from the environment (and a `.env` file), validated, with embedded defaults.

This is the only module that reads `os.environ`. Every setting is documented in `env.example`.
"""

from __future__ import annotations

import os
import secrets
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import load_dotenv
from limits import parse_many

from webapp.number_formats import US_E164_PATTERN

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout: `templates/`, `static/` and `instance/` live here."""

DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"
"""Where the embedded SQLite file, Redis socket and sandbox state live by default."""

DEFAULT_SECRET_KEY = "insecure-development-key"
"""Accepted only in tests; locally the key in `instance/secret_key` replaces it, production refuses it."""

SECRET_KEY_MIN_LENGTH = 32
"""The shortest SECRET_KEY production accepts: a short key signs sessions an attacker can forge offline."""

DEBUG_KEY_WARNING = (
    "FLASK_DEBUG is on and SECRET_KEY unset with DATABASE_URL or REDIS_URL set: using the local key in "
    "instance/secret_key and a session cookie without the Secure flag; never run production like this."
)
"""Said once at start when debug makes a production-like setup take the local key file."""

SANDBOX_ACCOUNT_SID = "AC" + "5a" * 16
"""The fake account SID the local Twilio sandbox accepts (used when TWILIO_ACCOUNT_SID is unset)."""

SANDBOX_AUTH_TOKEN = "sandbox-auth-token"
"""The fake auth token the local Twilio sandbox accepts."""

SANDBOX_DEFAULT_PORT = 8765
"""The port `make run` starts the sandbox on."""

DEFAULT_WEB_PORT = 5000
"""The port `make run` serves the console on."""

DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")
REDIS_SCHEMES = ("redis", "rediss", "unix")
URL_SCHEMES = ("http", "https")

CALL_STATUS_PATH = "/twilio/call-status"
"""Where Twilio posts a number's call status callbacks (the receiver, `webapp/callbacks/`)."""


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says what is expected."""


def parse_flag(value: str | None, default: bool) -> bool:
    """Return a yes/no setting's text as a bool (`1`, `true`, `yes`, `on`); `default` when empty."""
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _number(env: dict[str, str], name: str, default: float | None, kind: type = float) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw!r}.") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than zero, got {raw!r}.")
    return value


def _count(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number, 0 or more, got {raw!r}.")
    return int(raw)


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower() or choices[0]
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}.")
    return raw


def _whole_seconds(env: dict[str, str], name: str, default: str) -> list[int]:
    raw = env.get(name, "").strip() or default
    try:
        values = [int(part) for part in raw.split(",")]
    except ValueError:
        raise SettingsError(f"{name} must be whole seconds separated by commas, got {raw!r}.") from None
    if any(value <= 0 for value in values):
        raise SettingsError(f"{name} must hold only numbers greater than zero, got {raw!r}.")
    return values


def _rate_limits(env: dict[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    try:
        parse_many(raw)
    except ValueError:
        raise SettingsError(
            f"{name} must be limits like '5 per minute; 20 per hour', separated by ';', got {raw!r}."
        ) from None
    return raw


def _networks(env: dict[str, str], name: str) -> list[IPv4Network | IPv6Network]:
    raw = env.get(name, "").strip()
    try:
        return [ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise SettingsError(
            f"{name} must be addresses or networks separated by commas (10.0.0.5,10.1.0.0/16), got {raw!r}."
        ) from None


TOKEN_MIN_LENGTH = 16
"""The shortest bearer token accepted: anything shorter could be guessed."""


def _token(env: dict[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if raw and len(raw) < TOKEN_MIN_LENGTH:
        raise SettingsError(f"{name} must be at least {TOKEN_MIN_LENGTH} characters long (a random string).")
    return raw


def _directory(env: dict[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if raw and not (os.path.isdir(raw) and os.access(raw, os.W_OK)):
        raise SettingsError(f"{name} must be an existing directory this process can write to, got {raw!r}.")
    return raw


def normalise_database_url(url: str) -> str:
    """Return the SQLAlchemy URL for `url`, using psycopg 3 for PostgreSQL.

    Raises:
        SettingsError: the URL is malformed or names a database Switchboard does not support.
    """
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        url = "postgresql+psycopg" + url[len(scheme) :]
        scheme = "postgresql+psycopg"
    if scheme not in DATABASE_SCHEMES or "://" not in url:
        raise SettingsError(
            f"DATABASE_URL must start with postgresql+psycopg:// or sqlite:///, got scheme {scheme!r}."
        )
    return url


DATABASE_CONNECT_TIMEOUT_SECONDS = 3
"""A PostgreSQL that does not answer fails a request (503) in seconds instead of hanging it."""


def engine_options(database_uri: str) -> dict[str, Any]:
    """Return SQLAlchemy engine options: bounded connects and pre-ping, so a restarted PostgreSQL heals."""
    if database_uri.startswith("postgresql"):
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": DATABASE_CONNECT_TIMEOUT_SECONDS}}
    return {}


def _check_url(name: str, url: str, schemes: tuple[str, ...], *, allow_empty: bool = False) -> str:
    if allow_empty and not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise SettingsError(f"{name} must be a URL starting with {' or '.join(schemes)}://, got {url!r}.")
    return url


def _public_base_url(env: dict[str, str]) -> str:
    url = _check_url("PUBLIC_BASE_URL", env.get("PUBLIC_BASE_URL", "").strip(), URL_SCHEMES, allow_empty=True)
    parts = urlsplit(url)
    if url and (not parts.netloc or parts.query or parts.fragment):
        raise SettingsError(
            f"PUBLIC_BASE_URL must be a URL like https://switchboard.example.com, got {url!r}."
        )
    return url.rstrip("/")


def status_callback_url(env: dict[str, str], public_base_url: str) -> str:
    """Return the status callback every number gets: `TWILIO_STATUS_CALLBACK_URL` when set, else the
    receiver at `PUBLIC_BASE_URL` when that is set, else "" (none)."""
    explicit = env.get("TWILIO_STATUS_CALLBACK_URL", "").strip()
    if explicit:
        return _check_url("TWILIO_STATUS_CALLBACK_URL", explicit, URL_SCHEMES)
    return public_base_url + CALL_STATUS_PATH if public_base_url else ""


def _check_caller(name: str, number: str) -> str:
    if number and not US_E164_PATTERN.fullmatch(number):
        raise SettingsError(f"{name} must be a US number in E.164, like +14155550100, got {number!r}.")
    return number


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the app's settings: environment and `.env`, then `overrides` on top, validated.

    Raises:
        SettingsError: a setting is malformed.
    """
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    env = {**os.environ, **{k: str(v) for k, v in (overrides or {}).items() if isinstance(v, str)}}
    instance_path = Path(env.get("SWITCHBOARD_INSTANCE_PATH") or DEFAULT_INSTANCE_PATH)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'switchboard.db'}"
    redis_url = env.get("REDIS_URL") or f"unix://{instance_path / 'redis.sock'}"
    on_sandbox = not env.get("TWILIO_ACCOUNT_SID")
    sandbox_port = int(_number(env, "TWILIO_SANDBOX_PORT", SANDBOX_DEFAULT_PORT, int))
    base_url = env.get("TWILIO_API_BASE_URL") or (
        f"http://127.0.0.1:{sandbox_port}" if on_sandbox else "https://api.twilio.com"
    )

    database_uri = normalise_database_url(database_url)
    public_base_url = _public_base_url(env)
    settings: dict[str, Any] = {
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_uri),
        "REDIS_URL": _check_url("REDIS_URL", redis_url, REDIS_SCHEMES),
        "REDIS_EMBEDDED": not env.get("REDIS_URL"),
        "EMBEDDED_DEFAULTS": not (env.get("DATABASE_URL") or env.get("REDIS_URL")),
        "SECRET_KEY": env.get("SECRET_KEY") or DEFAULT_SECRET_KEY,
        "SESSION_COOKIE_SECURE": parse_flag(env.get("SESSION_COOKIE_SECURE"), True),
        "PREFERRED_URL_SCHEME": _choice(env, "PREFERRED_URL_SCHEME", URL_SCHEMES),
        "SESSION_IDLE_MINUTES": _number(env, "SESSION_IDLE_MINUTES", 60),
        "SESSION_MAX_HOURS": _number(env, "SESSION_MAX_HOURS", 12),
        "SIGN_IN_LIMITS_PER_ACCOUNT": _rate_limits(
            env, "SIGN_IN_LIMITS_PER_ACCOUNT", "5 per minute; 10 per 15 minutes; 20 per hour"
        ),
        "SIGN_IN_LIMITS_PER_ADDRESS": _rate_limits(
            env, "SIGN_IN_LIMITS_PER_ADDRESS", "20 per minute; 50 per 15 minutes; 100 per hour"
        ),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID") or SANDBOX_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN") or (SANDBOX_AUTH_TOKEN if on_sandbox else ""),
        "TWILIO_SANDBOX": on_sandbox,
        "TWILIO_SANDBOX_PORT": sandbox_port,
        "WEB_PORT": _number(env, "WEB_PORT", DEFAULT_WEB_PORT, int),
        "TWILIO_API_BASE_URL": _check_url("TWILIO_API_BASE_URL", base_url.rstrip("/"), URL_SCHEMES),
        "TWILIO_VOICE_URL": _check_url(
            "TWILIO_VOICE_URL", env.get("TWILIO_VOICE_URL") or "http://localhost:3000/voice", URL_SCHEMES
        ),
        "TWILIO_VOICE_FALLBACK_URL": _check_url(
            "TWILIO_VOICE_FALLBACK_URL",
            env.get("TWILIO_VOICE_FALLBACK_URL", "").strip(),
            URL_SCHEMES,
            allow_empty=True,
        ),
        "TWILIO_SMS_URL": _check_url(
            "TWILIO_SMS_URL", env.get("TWILIO_SMS_URL", "").strip(), URL_SCHEMES, allow_empty=True
        ),
        "PUBLIC_BASE_URL": public_base_url,
        "TRUSTED_PROXIES": _count(env, "TRUSTED_PROXIES", 0),
        "TWILIO_STATUS_CALLBACK_URL": status_callback_url(env, public_base_url),
        "TWILIO_TEST_CALLER": _check_caller("TWILIO_TEST_CALLER", env.get("TWILIO_TEST_CALLER", "").strip()),
        "WEBHOOK_FAILURE_WINDOW_HOURS": _number(env, "WEBHOOK_FAILURE_WINDOW_HOURS", 24.0),
        "TWILIO_CONNECT_TIMEOUT": _number(env, "TWILIO_CONNECT_TIMEOUT", 3.05),
        "TWILIO_READ_TIMEOUT": _number(env, "TWILIO_READ_TIMEOUT", 10.0),
        "TWILIO_MAX_ATTEMPTS": _number(env, "TWILIO_MAX_ATTEMPTS", 3, int),
        "TWILIO_BACKOFF_SECONDS": _number(env, "TWILIO_BACKOFF_SECONDS", 0.5),
        "TWILIO_RETRY_AFTER_CAP": _number(env, "TWILIO_RETRY_AFTER_CAP", 30.0),
        "TWILIO_MAX_CONCURRENCY": _number(env, "TWILIO_MAX_CONCURRENCY", 20, int),
        "BREAKER_FAIL_MAX": _number(env, "BREAKER_FAIL_MAX", 5, int),
        "BREAKER_RESET_TIMEOUT": _number(env, "BREAKER_RESET_TIMEOUT", 30, int),
        "JOB_RETRY_INTERVALS": _whole_seconds(env, "JOB_RETRY_INTERVALS", "15,60,300"),
        "WORKER_HEARTBEAT_SECONDS": _number(env, "WORKER_HEARTBEAT_SECONDS", 10, int),
        "WORKER_MAINTENANCE_INTERVAL": _number(env, "WORKER_MAINTENANCE_INTERVAL", 30, int),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", ("text", "json")),
        "PROVISION_FALLBACK": _choice(env, "PROVISION_FALLBACK", ("off", "near", "region")),
        "RELEASE_CANCELLED_AFTER_DAYS": _number(env, "RELEASE_CANCELLED_AFTER_DAYS", None, int),
        "CALL_EVENTS_KEEP_DAYS": _number(env, "CALL_EVENTS_KEEP_DAYS", 30, int),
        "EMERGENCY_ADDRESS_ON_PROVISION": parse_flag(env.get("EMERGENCY_ADDRESS_ON_PROVISION"), False),
        "EMERGENCY_POLL_SECONDS": _number(env, "EMERGENCY_POLL_SECONDS", 30, int),
        "EMERGENCY_POLL_LIMIT": _number(env, "EMERGENCY_POLL_LIMIT", 60, int),
        "IDLE_DAYS": _number(env, "IDLE_DAYS", 30, int),
        "IDLE_MIN_AGE_DAYS": _number(env, "IDLE_MIN_AGE_DAYS", 30, int),
        "METRICS_TOKEN": _token(env, "METRICS_TOKEN"),
        "METRICS_ALLOW": _networks(env, "METRICS_ALLOW"),
        "PROMETHEUS_MULTIPROC_DIR": _directory(env, "PROMETHEUS_MULTIPROC_DIR"),
    }
    if settings["TWILIO_ACCOUNT_SID"] != SANDBOX_ACCOUNT_SID and not settings["TWILIO_AUTH_TOKEN"]:
        raise SettingsError("TWILIO_AUTH_TOKEN must be set when TWILIO_ACCOUNT_SID is set.")
    for name, value in (overrides or {}).items():
        if name not in settings or not isinstance(value, str):  # text overrides were validated above
            settings[name] = value
    return settings


def env_value(name: str) -> str | None:
    """Return one variable of this process's environment (with `.env`'s, once `load_settings` ran); an
    empty one counts as unset (None). For what reads a variable outside the app's settings: the tests' and
    the benchmarks' services, the launcher's defaults."""
    return os.environ.get(name) or None


def child_environment(updates: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment a child process is started with: this process's, with `updates` on top."""
    return {**os.environ, **(updates or {})}


def check_secret_key(key: str) -> str:
    """Return `key` when it is long enough for production.

    Raises:
        SettingsError: it is shorter than SECRET_KEY_MIN_LENGTH (the message never shows the key).
    """
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise SettingsError(
            f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters, got {len(key)}: "
            "set it to a long random string (see env.example)."
        )
    return key


def persistent_secret_key(instance_path: Path) -> str:
    """Return the local secret key kept in `instance/secret_key`, creating it (mode 0600) on first use.

    `make run` and every local `flask --app wsgi ...` command share it; a key file written by another
    process at the same moment wins, so they all agree.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".secret_key.{os.getpid()}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()
