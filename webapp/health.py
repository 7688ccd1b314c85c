"""`GET /healthz`: whether the database and Redis answer; details (errors, breakers) for signed-in users only.

Anonymous callers (load balancers, probes) get `{"status": "ok"}` or `{"status": "degraded"}` and the HTTP
status, nothing that names a part of the system. The signed-in user is looked up only once the database
has answered: a session cannot be checked without it, so during an outage everyone gets the short answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask_login import current_user
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
    app = current_app._get_current_object()  # type: ignore[attr-defined]

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
    """200 when the database and Redis answer, else 503; each part's state only for signed-in users."""
    redis = get_redis()
    database_error = answers_within(database_check)
    redis_error = answers_within(redis.ping)
    healthy = database_error is None and redis_error is None
    if not healthy:
        logger.warning("unhealthy: database=%s redis=%s", database_error, redis_error)
    code = 200 if healthy else 503
    body: dict[str, Any] = {"status": "ok" if healthy else "degraded"}
    if database_error is not None or not (current_user.is_authenticated and current_user.is_active):
        return jsonify(body), code
    breakers = (  # kept in Redis: unknown while it is down, without waiting on it a second time
        breaker_states(redis, reset_timeout=current_app.config["BREAKER_RESET_TIMEOUT"])
        if redis_error is None
        else []
    )
    body.update(
        database={"ok": True, "error": None},
        redis={"ok": redis_error is None, "error": redis_error},
        breakers={state.name: state.as_dict() for state in breakers},
    )
    return jsonify(body), code


def init_app(app: Flask) -> None:
    """Serve /healthz."""
    app.register_blueprint(bp)
