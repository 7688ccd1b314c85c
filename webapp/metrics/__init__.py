"""Prometheus metrics, in any process: what the web, the jobs and the Twilio client count, and `GET /metrics`.

Each instrumented place imports the one module it feeds: `web` (request hooks), `jobs` (the Activity's end),
`twilio` (the client's call path), `fleet` (the recurring fleet job). `endpoint` serves them all.

Under gunicorn and RQ every process (gunicorn workers, RQ workers and their work-horses, forked per job)
writes its counts to files in `PROMETHEUS_MULTIPROC_DIR`, prometheus-client's multi-process mode; the
process answering `/metrics` adds them up; a worker's work-horses share one set of files (`files`). The
variable must be in the environment before the process starts (prometheus-client reads it on import), and
be the same directory for every process on the host.
Without it each process counts alone, and `/metrics` shows only its own counts.
"""

from __future__ import annotations

from flask import Flask

from webapp.metrics.files import use_shared_files

use_shared_files()  # before any module here creates a metric


def init_app(app: Flask) -> None:
    """Time and count every request, and mount `GET /metrics`."""
    from webapp.metrics import endpoint, web

    web.init_app(app)
    endpoint.init_app(app)
