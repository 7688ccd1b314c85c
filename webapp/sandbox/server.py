"""Serving the sandbox: werkzeug's threaded server, with connection resets done as a real TCP reset."""

from __future__ import annotations

import logging
import signal
import socket
import struct
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from webapp.config import DEFAULT_INSTANCE_PATH, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SANDBOX_DEFAULT_PORT
from webapp.sandbox.app import create_sandbox_app
from webapp.sandbox.faults import RESET_ENVIRON_KEY, FaultInjector, FaultPlan, parse_faults
from webapp.sandbox.pool import DEFAULT_POOL_SIZE, MAX_POOL_SIZE
from webapp.sandbox.state import MAX_CONCURRENCY, SandboxState, TrafficGate
from webapp.sandbox.store import Store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

DEFAULT_DB_PATH = DEFAULT_INSTANCE_PATH / "twilio_sandbox.sqlite3"
"""Where the sandbox keeps its state unless told otherwise."""


class ResetConnection:
    """WSGI wrapper: when the app marked the request for a reset, send nothing and raise instead."""

    def __init__(self, app: WSGIApplication):
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = self.app(environ, start_response)
        if environ.get(RESET_ENVIRON_KEY):
            if hasattr(answer, "close"):
                answer.close()
            # werkzeug hands ConnectionError to `connection_dropped` before writing a byte.
            raise ConnectionResetError("fault injected: connection reset")
        return answer


class SandboxRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, minus its access log (the app logs each request), plus abrupt resets."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing: the app already logged the request."""

    def connection_dropped(self, error: BaseException, environ: WSGIEnvironment | None = None) -> None:
        """Close the socket with SO_LINGER 0, so the client gets a TCP reset, when a fault asked for one."""
        if environ is None or not environ.get(RESET_ENVIRON_KEY):
            return
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The reader holds a reference to the socket; close it first so close() really closes now.
        self.rfile.close()
        self.connection.close()


def make_sandbox_server(host: str, port: int, state: SandboxState) -> BaseWSGIServer:
    """Return a threaded server for the sandbox, bound but not yet serving (port 0 picks a free one)."""
    app = ResetConnection(create_sandbox_app(state))
    return make_server(host, port, app, threaded=True, request_handler=SandboxRequestHandler)


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    # werkzeug's serve_forever treats KeyboardInterrupt as a clean stop and closes the socket.
    raise KeyboardInterrupt


def run_sandbox(
    host: str = "127.0.0.1",
    port: int = SANDBOX_DEFAULT_PORT,
    db_path: Path | str = DEFAULT_DB_PATH,
    faults: str | FaultPlan = "",
    latency_ms: int = 0,
    pool_size: int = DEFAULT_POOL_SIZE,
    seed: int | None = None,
    max_concurrency: int = 0,
    account_sid: str = SANDBOX_ACCOUNT_SID,
    auth_token: str = SANDBOX_AUTH_TOKEN,
) -> None:
    """Serve the sandbox until interrupted (Ctrl-C or SIGTERM).

    Raises:
        ValueError: latency or pool size out of range (FaultSpecError for bad fault text).
        OSError: the port is taken.
    """
    if latency_ms < 0:
        raise ValueError(f"latency_ms must not be negative, got {latency_ms}.")
    if not 0 <= pool_size <= MAX_POOL_SIZE:
        raise ValueError(f"pool_size must be from 0 to {MAX_POOL_SIZE}, got {pool_size}.")
    if not 0 <= max_concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"max_concurrency must be from 0 to {MAX_CONCURRENCY}, got {max_concurrency}.")
    plan = parse_faults(faults) if isinstance(faults, str) else faults
    state = SandboxState(
        store=Store(db_path),
        faults=FaultInjector(plan, seed),
        account_sid=account_sid,
        auth_token=auth_token,
        pool_size=pool_size,
        latency_ms=latency_ms,
        traffic=TrafficGate(max_concurrency),
    )
    server = make_sandbox_server(host, port, state)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    logger.info(
        "Twilio sandbox on http://%s:%d (state %s, %d numbers per area code, faults %r, latency %d ms, "
        "concurrency cap %s)",
        host,
        server.server_port,
        db_path,
        pool_size,
        plan.describe(),
        latency_ms,
        max_concurrency or "none",
    )
    server.serve_forever()
    logger.info("Twilio sandbox stopped")
