"""`GET /metrics`, in the web process: every process's counts in Prometheus' text format, for Prometheus only.

Off (404, as any unknown page) unless `METRICS_TOKEN` or `METRICS_ALLOW` is set. Then a caller whose address
is in `METRICS_ALLOW`, or who sends `Authorization: Bearer <METRICS_TOKEN>`, gets the metrics; anyone else
gets an empty 401 (a token is set) or 403 (only the allow-list), which tells nothing. It is outside the
console's sign-in and its throttle, and neither gunicorn's access log (`gunicorn.conf.py`) nor the
development server's logs it.
"""

from __future__ import annotations

import hmac
import logging
import re
from ipaddress import ip_address

from flask import Blueprint, Flask, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from werkzeug.wrappers import Response

from webapp.metrics.scrape import RedisReadings

bp = Blueprint("metrics", __name__)

BEARER = "Bearer "
SCRAPE_LINE = re.compile(r"GET /metrics[?\s]")
"""A scrape's request line in the development server's log (werkzeug's `"%s" %s %s`, the line colored
for any status but 200)."""


def enabled() -> bool:
    """Whether `/metrics` answers anyone: a token or an allow-list is configured."""
    return bool(current_app.config["METRICS_TOKEN"] or current_app.config["METRICS_ALLOW"])


def caller_allowed() -> bool:
    """Whether the caller's address is in `METRICS_ALLOW`."""
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.config["METRICS_ALLOW"])


def token_presented() -> bool:
    """Whether the request carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time)."""
    token = current_app.config["METRICS_TOKEN"]
    supplied = request.headers.get("Authorization", "")
    if not token or not supplied.startswith(BEARER):
        return False
    return hmac.compare_digest(supplied[len(BEARER) :].encode(), token.encode())


def exposition() -> bytes:
    """Every process's metrics (this one's alone without `PROMETHEUS_MULTIPROC_DIR`), and Redis' readings."""
    registry = CollectorRegistry()
    directory = current_app.config["PROMETHEUS_MULTIPROC_DIR"]
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(REGISTRY)
    registry.register(RedisReadings())
    return generate_latest(registry)


@bp.route("/metrics")
def metrics() -> Response:
    """The metrics for an allowed caller; 404 when off; an empty 401 or 403 to anyone else."""
    if not enabled():
        abort(404)
    if not (caller_allowed() or token_presented()):
        if current_app.config["METRICS_TOKEN"]:
            return Response(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(status=403)
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def not_a_scrape(record: logging.LogRecord) -> bool:
    """Whether a line of the development server's request log is about anything but a scrape."""
    return not (record.args and isinstance(record.args, tuple) and SCRAPE_LINE.search(str(record.args[0])))


def init_app(app: Flask) -> None:
    """Mount `/metrics`, and keep scrapes out of the development server's request log (`make run`)."""
    app.register_blueprint(bp)
    logging.getLogger("werkzeug").addFilter(not_a_scrape)  # added once, however many apps
