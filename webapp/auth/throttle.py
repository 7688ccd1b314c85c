"""Failed sign-ins throttled per account and per client address, with Flask-Limiter on the app's Redis.

Only failures count: the limits are tested before the sign-in form is checked and a failure is deducted
afterwards (`deduct_when`), so a user who signs in right is never slowed down by their own success. Each
setting is a list of tiers on a moving window (e.g. 5 a minute, 10 per 15 minutes, 20 an hour): past
each tier the wait grows, and the refusal says how long it is. The counters live in Redis, shared by
every web process and kept across web restarts. While Redis is down, each process throttles in memory.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import RateLimitExceeded
from werkzeug.wrappers import Response

from webapp.extensions import limiter
from webapp.models.user import normalise_email
from webapp.stateless import is_stateless

FAILED = "switchboard.sign_in_failed"
"""The request's flag the sign-in view raises when it refuses credentials: only then is a try deducted."""


def storage_uri(redis_url: str) -> str:
    """The `limits` storage URI for REDIS_URL (`limits` names a unix socket `redis+unix://`)."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def init_app(app: Flask, on_refusal: Callable[[RateLimitExceeded], Any]) -> None:
    """Bind the limiter to the app's Redis, for every route but the stateless ones; `on_refusal` answers a
    throttled sign-in."""
    app.config.setdefault("RATELIMIT_ENABLED", True)  # one limiter per process: never inherit another app's
    app.config.update(
        RATELIMIT_STORAGE_URI=storage_uri(app.config["REDIS_URL"]),
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 5, "socket_connect_timeout": 5},
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_KEY_PREFIX="switchboard",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_FAIL_ON_FIRST_BREACH=False,  # test every tier, so the wait named is the longest
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    limiter.init_app(app)
    limiter.request_filter(is_stateless)  # its first check: a stateless route skips every limit
    app.register_error_handler(RateLimitExceeded, on_refusal)


def account_key() -> str:
    """The account a sign-in tries, as the user table spells it."""
    email = request.form.get("email", "")
    try:
        return "account:" + (normalise_email(email) or "-")
    except ValueError:
        return "account:" + email.strip().lower()


def address_key() -> str:
    """The client address a sign-in comes from."""
    return f"address:{request.remote_addr or '-'}"


def sign_in_failed(response: Response) -> bool:
    """Whether this request's sign-in was refused (deduct a try then, and only then)."""
    return bool(request.environ.get(FAILED))


def record_failure() -> None:
    """Mark this request's sign-in as failed, so that it counts against the account and the address."""
    request.environ[FAILED] = True


per_account = limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMITS_PER_ACCOUNT"],
    key_func=account_key,
    methods=["POST"],
    deduct_when=sign_in_failed,
    scope="sign-in",
)
per_address = limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMITS_PER_ADDRESS"],
    key_func=address_key,
    methods=["POST"],
    deduct_when=sign_in_failed,
    scope="sign-in",
)


def seconds_to_wait() -> int:
    """Seconds until every limit this request broke lets a try through again."""
    breached = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    return max(1, math.ceil(max(breached, default=0) - time.time()))


def wait_text(seconds: int) -> str:
    """'45 seconds', '61 seconds', '15 minutes': how long to wait, in words (minutes from two on)."""
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
