"""`make run`: everything the console needs locally, on the embedded defaults, stopped by one Ctrl-C.

Upgrades the database, starts the embedded Redis (when used), seeds demo data (which queues the provisions
of the demo numbers), then starts the local Twilio sandbox (when used), an RQ worker and the web server at
http://127.0.0.1:5000 (`WEB_PORT`). A second run reuses the database, the demo admin and a Redis that is
already answering.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from webapp.config import (
    PROJECT_ROOT,
    SettingsError,
    child_environment,
    env_value,
    load_settings,
    persistent_secret_key,
)
from webapp.launcher import embedded_redis
from webapp.sandbox.pool import MAGIC_AVAILABLE as SANDBOX_TEST_CALLER

FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def run_step(args: list[str], env: dict[str, str]) -> None:
    """Run a set-up command; stop the launcher with its message when it fails."""
    if subprocess.run(args, cwd=PROJECT_ROOT, env=env).returncode != 0:
        sys.exit(f"switchboard: '{' '.join(args[3:])}' failed; see the message above.")


def start_redis(settings: dict) -> subprocess.Popen | None:
    """Start the embedded Redis when it is used and not already up; return its process (None otherwise)."""
    socket_path = Path(settings["INSTANCE_PATH"]) / "redis.sock"
    if settings["REDIS_EMBEDDED"] and not embedded_redis.is_answering(socket_path):
        return embedded_redis.start(socket_path, persistent=True)
    return None


def start_services(settings: dict, env: dict[str, str]) -> list[subprocess.Popen]:
    """Start the sandbox (when used), the worker and the web server."""
    instance_path = Path(settings["INSTANCE_PATH"])
    processes = []
    if settings["TWILIO_SANDBOX"]:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "webapp.sandbox",
                    "--port",
                    str(settings["TWILIO_SANDBOX_PORT"]),
                    "--db",
                    str(instance_path / "twilio_sandbox.sqlite3"),
                ],
                cwd=PROJECT_ROOT,
                env=env,
            )
        )
    processes.append(subprocess.Popen([*FLASK, "worker"], cwd=PROJECT_ROOT, env=env))
    processes.append(
        subprocess.Popen(
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(settings["WEB_PORT"])],
            cwd=PROJECT_ROOT,
            env=env,
        )
    )
    return processes


def stop_all(processes: list[subprocess.Popen], redis_process: subprocess.Popen | None) -> None:
    """Stop every child, then the Redis this launcher started."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    if redis_process is not None:
        embedded_redis.stop(redis_process)


def launcher_environment(updates: dict[str, str]) -> dict[str, str]:
    """Return this process's environment (`.env` included, read by `load_settings`) with `updates` for the
    children `make run` starts.

    An explicitly set variable always wins over the launcher's local defaults.
    """
    return child_environment({name: value for name, value in updates.items() if not env_value(name)})


def local_defaults(settings: dict, instance_path: Path) -> dict[str, str]:
    """Return the settings `make run` gives its children unless set: the kept secret key, a cookie for
    http://, and on the sandbox the local console as `PUBLIC_BASE_URL`, so the sandbox's calls report back
    to its status-callback receiver, and the sandbox's own caller as `TWILIO_TEST_CALLER`, so "Place a test
    call" works on a fresh machine."""
    defaults = {"SECRET_KEY": persistent_secret_key(instance_path), "SESSION_COOKIE_SECURE": "false"}
    if settings["TWILIO_SANDBOX"]:
        defaults["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{settings['WEB_PORT']}"
        defaults["TWILIO_TEST_CALLER"] = SANDBOX_TEST_CALLER
    return defaults


def main() -> None:
    """Prepare the database and demo data, start everything, and wait for Ctrl-C."""
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit(f"switchboard: {error}")
    instance_path = Path(settings["INSTANCE_PATH"])
    instance_path.mkdir(parents=True, exist_ok=True)
    env = launcher_environment(local_defaults(settings, instance_path))
    run_step([*FLASK, "db", "upgrade"], env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C stops everything even when SIGINT came in ignored (a shell's background job, CI runners).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    redis_process = start_redis(settings)
    processes: list[subprocess.Popen] = []
    try:
        run_step([*FLASK, "seed-demo", "--with-admin"], env)  # queues the demo numbers' provisions
        processes = start_services(settings, env)
        url = f"http://127.0.0.1:{settings['WEB_PORT']}/"
        print(f"Switchboard is at {url} — Ctrl-C stops everything.", flush=True)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        print("switchboard: a service stopped; stopping the others.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        stop_all(processes, redis_process)


if __name__ == "__main__":
    main()
