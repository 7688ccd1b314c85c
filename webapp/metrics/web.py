"""HTTP metrics, in the web process: every request counted by endpoint, method and status, and timed."""

from __future__ import annotations

import time

from flask import Flask, request
from prometheus_client import Counter, Histogram
from werkzeug.wrappers import Response

REQUESTS = Counter(
    "switchboard_http_requests_total",
    "HTTP requests answered, by endpoint (Flask's name of the view), method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "switchboard_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and method.",
    ["endpoint", "method"],
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods named in labels; any other a client sends counts as `other`, so labels stay bounded."""

UNMATCHED = "unmatched"
"""The endpoint label of a request no view matched (a 404, or a 405 before routing)."""

STARTED = "switchboard.metrics.started"
"""Where the request keeps the moment it started (the WSGI environ: one per request)."""


def start_timer() -> None:
    """Note when the request started."""
    request.environ[STARTED] = time.perf_counter()


def count_response(response: Response) -> Response:
    """Count the answered request and observe how long it took."""
    endpoint = request.endpoint or UNMATCHED
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    started = request.environ.get(STARTED)
    if started is not None:
        LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Time every request: called first in the factory, so the timer starts before any other hook runs."""
    app.before_request(start_timer)
    app.after_request(count_response)
