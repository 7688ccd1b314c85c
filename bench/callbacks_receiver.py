"""The call-status receiver under gunicorn: signed status callbacks at a steady rate for a while, then p50
and p99 of their answers and whether every callback became a row.

Numbers are bought at the sandbox and recorded; gunicorn serves the console (2 workers of 4 threads, as
`gunicorn.conf.py` suggests for this machine) with `PUBLIC_BASE_URL` set. This process is the load
generator: every callback is signed ahead of time with twilio-python's own `RequestValidator` (each a new
call ending `completed`), then sent on its schedule (`RATE` a second) from a pool of threads with keep-alive
connections, each answer's time taken from the moment it was due (so a late send counts against the
receiver, not hidden). Then the `call_events` rows are counted. Target (issue 30): 300 a second for 60 s,
p99 ≤ 30 ms, nothing lost. A quick run sends for 5 s. The generator and gunicorn share the 2 CPUs.
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import format_datetime
from pathlib import Path

import requests
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bench.processes import job_services, seed_numbers
from bench.results import Table
from bench.stats import percentile
from harness.gunicorn import gunicorn_serving
from harness.workers import worker_environment
from webapp.extensions import db
from webapp.models import CallEvent, PhoneNumber
from webapp.models.base import utcnow

RATE = 300
FULL_SECONDS = 60
QUICK_SECONDS = 5
NUMBERS = 100
SENDERS = 32
TARGET_P99_MS = 30.0
PUBLIC_BASE_URL = "https://switchboard.example.com"
CALL_STATUS_PATH = "/twilio/call-status"


def signed_callbacks(account_sid: str, token: str, numbers: list[str], count: int) -> list[tuple[dict, str]]:
    """`count` completed-call callbacks to `numbers` in turn, each with the signature Twilio would send."""
    validator = RequestValidator(token)
    url = PUBLIC_BASE_URL + CALL_STATUS_PATH
    stamp = format_datetime(utcnow())
    callbacks = []
    for index in range(count):
        form = {
            "AccountSid": account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": f"CA{index + 1:032x}",
            "CallStatus": "completed",
            "CallDuration": "42",
            "Direction": "inbound",
            "From": "+14155550199",
            "To": numbers[index % len(numbers)],
            "Timestamp": stamp,
        }
        callbacks.append((form, validator.compute_signature(url, form)))
    return callbacks


def send_on_schedule(base_url: str, callbacks: list[tuple[dict, str]]) -> tuple[list[float], int]:
    """Send each callback at its slot (`RATE` a second); return each answer's ms since it was due, and how
    many answers were not 204."""
    local = threading.local()
    started = time.perf_counter() + 0.5
    failures = 0
    lock = threading.Lock()

    def send(index: int) -> float:
        nonlocal failures
        due = started + index / RATE
        time.sleep(max(0.0, due - time.perf_counter()))
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        form, signature = callbacks[index]
        answer = session.post(
            base_url + CALL_STATUS_PATH, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        if answer.status_code != 204:
            with lock:
                failures += 1
        return (time.perf_counter() - due) * 1000

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        latencies = list(pool.map(send, range(len(callbacks))))
    return latencies, failures


def run(quick: bool) -> list[Table]:
    """Serve the receiver, send the callbacks, and return the table."""
    seconds = QUICK_SECONDS if quick else FULL_SECONDS
    table = Table(
        "Status callbacks under gunicorn",
        __doc__.split("\n\n", 1)[1].replace("\n", " ").strip(),
        ["Rate /s", "Seconds", "Sent", "Not 204", "Rows", "p50 ms", "p99 ms", "Target met"],
    )
    with job_services(latency_ms=0) as services, tempfile.TemporaryDirectory() as folder:
        seed_numbers(services, NUMBERS)
        numbers = list(db.session.scalars(select(PhoneNumber.e164)))
        sandbox = services.sandbox
        callbacks = signed_callbacks(sandbox.account_sid, sandbox.auth_token, numbers, RATE * seconds)
        environment = {
            **worker_environment(services.settings, {}),
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "SESSION_COOKIE_SECURE": "false",
        }
        with gunicorn_serving(environment, Path(folder) / "gunicorn.log", 2, 4, 75) as base_url:
            latencies, failures = send_on_schedule(base_url, callbacks)
        db.session.rollback()
        rows = db.session.scalar(select(func.count()).select_from(CallEvent)) or 0
    p99 = percentile(latencies, 0.99)
    table.rows.append(
        [
            f"{RATE}",
            f"{seconds}",
            f"{len(callbacks):,}",
            f"{failures:,}",
            f"{rows:,}",
            f"{percentile(latencies, 0.5):.1f}",
            f"{p99:.1f}",
            "yes" if p99 <= TARGET_P99_MS and rows == len(callbacks) and not failures else "no",
        ]
    )
    return [table]
