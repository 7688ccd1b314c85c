"""gunicorn's side of the metrics, in the gunicorn master process (`gunicorn.conf.py` names both): a worker's
bookkeeping when it exits, and an access log that leaves Prometheus' scrapes out."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger
from prometheus_client import multiprocess

from webapp.config import env_value

METRICS_PATH = "/metrics"


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook after a worker exited: prometheus-client forgets its live gauges."""
    directory = env_value("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        multiprocess.mark_process_dead(worker.pid, directory)


class AccessLogWithoutScrapes(Logger):
    """gunicorn's logger, with no access-log line for `GET /metrics` (a scrape every few seconds)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        """Log the request, unless it is a scrape."""
        if environ.get("PATH_INFO") != METRICS_PATH:
            super().access(resp, req, environ, request_time)
