"""The app's Redis connection, shared by RQ, the circuit breakers and the dashboard."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis

SOCKET_TIMEOUT_SECONDS = 5
"""A Redis that stops answering fails a request in seconds instead of hanging it."""


def redis_from_url(url: str) -> Redis:
    """Return a Redis client for `url` (redis://, rediss:// or unix://) with bounded timeouts."""
    return Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS
    )


def init_app(app: Flask) -> None:
    """Create the app's Redis client from `REDIS_URL`; it connects lazily, on first use."""
    app.extensions["redis"] = redis_from_url(app.config["REDIS_URL"])


def get_redis() -> Redis:
    """Return the current app's Redis client."""
    return current_app.extensions["redis"]
