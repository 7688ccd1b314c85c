"""The services under tests and benchmarks: free ports, an unreachable Redis, no developer `.env`."""

from __future__ import annotations

import os
import socket

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"
"""A Redis URL nothing listens on (port 1 refuses at once): the queue and /healthz see Redis down."""

DOTENV_OFF = {"PYTHON_DOTENV_DISABLED": "1", "FLASK_SKIP_DOTENV": "1"}
"""Turns off python-dotenv's `load_dotenv` (the app's settings) and Flask's CLI `.env` loading."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def keep_dotenv_out() -> None:
    """Keep the developer's `.env` out of this process and every process it starts.

    Tests and benchmarks say what they run on; a `.env` left in the checkout must not change it.
    """
    os.environ.update(DOTENV_OFF)
