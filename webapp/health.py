"""`GET /healthz`: whether the database and Redis answer, and the Twilio breakers' state; no sign-in."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.redis_connection import get_redis
from webapp.twilio_client import breaker_states

logger = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

CHECK_TIMEOUT_SECONDS = 3.0
"""A dependency that has not answered by then is reported down, so the probe itself never hangs."""


def answers_within(check: Callable[[], Any], timeout: float = CHECK_TIMEOUT_SECONDS) -> str | None:
    """Run `check` in a daemon thread with the app context; return None if it answered, else why not."""
    outcome: dict[str, str | None] = {"error": f"no answer within {timeout:.0f} s"}
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                check()
                outcome["error"] = None
            except Exception as error:  # any failure means "down"; the class name says which
                outcome["error"] = error.__class__.__name__
            finally:
                db.session.remove()

    worker = threading.Thread(target=run, daemon=True, name="healthz-check")
    worker.start()
    worker.join(timeout)
    return outcome["error"]


def database_check() -> None:
    """Raise unless the database answers `SELECT 1`."""
    db.session.execute(text("SELECT 1"))


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with each part's state when the database and Redis answer, else 503."""
    redis = get_redis()
    database_error = answers_within(database_check)
    redis_error = answers_within(redis.ping)
    breakers = (  # kept in Redis: unknown while it is down, without waiting on it a second time
        breaker_states(redis, reset_timeout=current_app.config["BREAKER_RESET_TIMEOUT"])
        if redis_error is None
        else []
    )
    healthy = database_error is None and redis_error is None
    if not healthy:
        logger.warning("unhealthy: database=%s redis=%s", database_error, redis_error)
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": {"ok": database_error is None, "error": database_error},
        "redis": {"ok": redis_error is None, "error": redis_error},
        "breakers": {state.name: state.as_dict() for state in breakers},
    }
    return jsonify(body), 200 if healthy else 503


def init_app(app: Flask) -> None:
    """Serve /healthz."""
    app.register_blueprint(bp)
