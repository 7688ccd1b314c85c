"""The console served by gunicorn as a subprocess, as in production, on a free loopback port."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from harness.services import free_port
from harness.waits import wait_until
from harness.workers import worker_environment
from webapp.config import PROJECT_ROOT
from webapp.launcher.processes import stop_process

STARTUP_SECONDS = 30
"""How long gunicorn may take to answer /healthz after it was started."""


@contextmanager
def gunicorn_serving(
    environment: dict[str, str], log_path: Path, workers: int, threads: int, keep_alive: int
) -> Iterator[str]:
    """Serve `wsgi:app` with `environment`, logging to `log_path`; yield its base URL once /healthz is 200.

    It is stopped on leaving, also when it never answered: no gunicorn outlives its caller.
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--timeout", "30"]
    command += ["--workers", str(workers), "--threads", str(threads), "--keep-alive", str(keep_alive)]
    command.append("wsgi:app")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, f"gunicorn exited:\n{log_path.read_text()}"
        try:
            return requests.get(f"{base_url}/healthz", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # still starting, or a busy machine
            return False

    try:
        wait_until(healthy, STARTUP_SECONDS, "gunicorn to answer /healthz")
        yield base_url
    finally:
        stop_process(process, timeout=15)


@contextmanager
def gunicorn_like_test(
    app_settings: dict[str, Any],
    log_path: Path,
    *,
    workers: int = 1,
    threads: int = 1,
    keep_alive: int = 2,
    settings: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve the app configured like the test's (plus `settings`) over plain HTTP; yield its base URL.

    Raises:
        AssertionError: gunicorn exited, did not answer /healthz in time, or logged a traceback.
    """
    environment = {
        **worker_environment(app_settings, {}),
        "SESSION_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        **(settings or {}),
    }
    with gunicorn_serving(environment, log_path, workers, threads, keep_alive) as base_url:
        yield base_url
    logged = log_path.read_text(errors="replace")
    assert "Traceback" not in logged, logged[-3000:]
