"""Real RQ workers as subprocesses: `python -m flask --app wsgi worker`, configured like a given app.

`WorkerProcess(name, log_path, environment)`: `start(redis)` (waits until it is registered), `pid`,
`running`, `log()`, `wait(timeout)`, `stop()` (SIGTERM: finishes its job first), `kill()` (SIGKILL to the
worker, its work-horse and its scheduler at once, as when a machine dies).
`worker_environment(settings, extra)` is the environment of a worker configured from the settings an app
was built from (`DATABASE_URL`, `REDIS_URL`, `SECRET_KEY`, `SWITCHBOARD_INSTANCE_PATH`, every `TWILIO_*`,
`BREAKER_*`, `JOB_*`, `WORKER_*`, `LOG_*`, `METRICS_*` and `PROMETHEUS_*` setting), with `extra` on top.

Settings to build the app and its workers with:

- `sandbox_settings(sandbox)`: point the app and the workers at a `SandboxProcess` (harness/sandbox.py).
- `FAST_JOB_SETTINGS`: one-second heartbeats and retries, two-second maintenance, tiny Twilio backoff and a
  circuit breaker that stays closed, so jobs and dead-worker detection take seconds.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Worker

from harness.processes import descendants, kill_quietly
from webapp.config import PROJECT_ROOT, child_environment

STARTUP_SECONDS = 30.0
"""How long a worker may take to register with Redis after it was started."""

STOP_SECONDS = 15.0
"""How long a stopped worker may take to finish its job and exit before it is killed."""

FAST_JOB_SETTINGS = {
    "JOB_RETRY_INTERVALS": "1,1,2,2",
    "WORKER_HEARTBEAT_SECONDS": "1",
    "WORKER_MAINTENANCE_INTERVAL": "2",
    "TWILIO_BACKOFF_SECONDS": "0.01",
    "TWILIO_CONNECT_TIMEOUT": "2",
    "TWILIO_READ_TIMEOUT": "5",
    "BREAKER_FAIL_MAX": "10000",
    "BREAKER_RESET_TIMEOUT": "1",
    "EMERGENCY_POLL_SECONDS": "1",
}
"""Settings that make jobs, retries and dead-worker detection take seconds in tests."""

WORKER_SETTING_PREFIXES = (
    "TWILIO_",
    "BREAKER_",
    "JOB_",
    "WORKER_",
    "LOG_",
    "RELEASE_",
    "PROVISION_",
    "PROMETHEUS_",
    "METRICS_",
    "EMERGENCY_",
)
WORKER_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "SWITCHBOARD_INSTANCE_PATH",
    "PUBLIC_BASE_URL",
    "CALL_EVENTS_KEEP_DAYS",
)

_names = itertools.count(1)


def next_worker_name(prefix: str) -> str:
    """Return a worker name no other worker of this process has: `<prefix>-<pid>-<n>`."""
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def sandbox_settings(sandbox: Any) -> dict[str, str]:
    """Return the settings that send the app's and the workers' Twilio requests to `sandbox`."""
    return {
        "TWILIO_ACCOUNT_SID": sandbox.account_sid,
        "TWILIO_AUTH_TOKEN": sandbox.auth_token,
        "TWILIO_API_BASE_URL": sandbox.base_url,
    }


def as_env(value: Any) -> str:
    """Return a setting as the environment spells it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def worker_environment(app_settings: dict[str, Any], extra: dict[str, Any]) -> dict[str, str]:
    """Return the environment of a worker configured like the test's app, with `extra` on top."""
    chosen = {
        name: value
        for name, value in {**app_settings, **extra}.items()
        if name in WORKER_SETTINGS or name.startswith(WORKER_SETTING_PREFIXES)
    }
    return child_environment(
        {"PYTHONUNBUFFERED": "1", **{name: as_env(value) for name, value in chosen.items()}}
    )


@dataclass
class WorkerProcess:
    """A worker running as `python -m flask --app wsgi worker --name NAME`."""

    name: str
    log_path: Path
    environment: dict[str, str] = field(repr=False)
    burst: bool = False
    _process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        """The worker's main process id."""
        assert self._process is not None, "the worker was not started"
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the main process is alive."""
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        """Return everything the worker printed."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def start(self, redis: Redis) -> None:
        """Start the process and wait until it is registered with Redis as a worker.

        A burst worker that has already emptied the queue and exited with 0 counts as started.

        Raises:
            RuntimeError: it exited or did not register within `STARTUP_SECONDS`; the message holds its log.
        """
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--name", self.name]
        if self.burst:
            command.append("--burst")
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                if self.burst and self._process.returncode == 0:
                    return  # a burst worker may finish its queue before it is seen registered
                raise RuntimeError(
                    f"Worker {self.name} exited with {self._process.returncode}:\n{self.log()}"
                )
            if any(worker.name == self.name for worker in Worker.all(connection=redis)):
                return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"Worker {self.name} did not register within {STARTUP_SECONDS} s:\n{self.log()}")

    def wait(self, timeout: float) -> int:
        """Wait for the worker to exit by itself (e.g. `burst`); return its exit status."""
        assert self._process is not None
        return self._process.wait(timeout=timeout)

    def stop(self) -> None:
        """Stop the worker as an operator would (SIGTERM: it finishes its job), killing it if it hangs."""
        if not self.running:
            return
        assert self._process is not None
        below = descendants(self.pid)
        self._process.terminate()
        try:
            self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for pid in below:
            kill_quietly(pid)

    def kill(self) -> None:
        """SIGKILL the worker, its work-horse and its scheduler at once, as if the machine died."""
        if self._process is None:
            return
        for pid in [self.pid, *descendants(self.pid)]:
            kill_quietly(pid)
        self._process.wait()
