"""The calls backfill against the sandbox at 100 ms a request: one walk of the account's Calls list, 1,000
a page, every ended inbound call recorded through the receiver's dedupe into the daily totals.

Numbers are bought at the sandbox and recorded; the calls are written into the sandbox's store directly
(inbound, ended, spread over 30 days, in one transaction); then the sandbox's latency is set and
`backfill_calls(30)` is timed, with the requests the sandbox received. A second run over the same days
shows the cost of finding every call already recorded. Target (issue 30): 200,000 calls over 30 days in
≤ 60 s with about 200 requests. A quick run backfills fewer; the time extrapolates linearly to 200,000 by
pages (each page: one request at the sandbox's latency, read while the page before is recorded; the
sandbox reads a page through its index on the calls' start, whatever the calls it holds).
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from bench.processes import job_services, seed_numbers
from bench.results import Table
from webapp.extensions import db
from webapp.jobs.reads.call_backfill import backfill_calls
from webapp.models import CallDay, PhoneNumber
from webapp.models.base import utcnow
from webapp.sandbox.render import ended_inbound_call
from webapp.sandbox.store import Store, new_sid

LATENCY_MS = 100
NUMBERS = 50
QUICK_CALLS = 20_000
FULL_CALLS = 200_000
DAYS = 30
TARGET_CALLS = 200_000


def seed_calls(store: Store, account_sid: str, numbers: list[PhoneNumber], count: int) -> None:
    """Write `count` ended inbound calls to `numbers` into the sandbox's store, spread over `DAYS` days less
    an hour (so each starts inside the backfill's `DAYS` days), in one transaction."""
    now = utcnow()
    spread = DAYS * 86_400 - 3_600
    records = []
    for index in range(count):
        number = numbers[index % len(numbers)]
        ended = now - timedelta(seconds=index * spread // count + 60)
        answered = bool(index % 4)
        record = ended_inbound_call(
            new_sid("CA"),
            account_sid,
            number.e164,
            "+14155550199",
            number.twilio_sid,
            ended - timedelta(seconds=30),
            ended,
            "completed" if answered else "no-answer",
            30 if answered else 0,
        )
        records.append((record["sid"], record))
    store.save_records("calls", records)


def run(quick: bool) -> list[Table]:
    """Seed the sandbox's calls, backfill them twice, and return the table."""
    calls = QUICK_CALLS if quick else FULL_CALLS
    rows = []
    with job_services(latency_ms=0) as services:
        seed_numbers(services, NUMBERS)
        numbers = list(db.session.scalars(select(PhoneNumber)))
        seed_calls(Store(services.sandbox.db_path), services.sandbox.account_sid, numbers, calls)
        services.sandbox.set_faults(latency_ms=LATENCY_MS)
        for label in ("first (all new)", "again (all known)"):
            services.sandbox.reset_stats()
            started = time.perf_counter()
            done = backfill_calls(DAYS)
            seconds = time.perf_counter() - started
            requests = services.sandbox.stats()["requests"]
            counted = db.session.scalar(select(func.sum(CallDay.calls))) or 0
            per_target = seconds / done.pages * (TARGET_CALLS / 1000)
            rows.append(
                [
                    label,
                    f"{done.calls:,}",
                    f"{done.recorded:,}",
                    f"{counted:,}",
                    f"{seconds:.1f}",
                    f"{requests:,}",
                    f"{per_target:.0f}",
                ]
            )
    return [
        Table(
            title=f"Calls backfill (sandbox at {LATENCY_MS} ms)",
            method=(
                f"`backfill_calls({DAYS})` in-process over the calls written into the sandbox's store "
                f"({NUMBERS} numbers, one call in four unanswered); requests: what the sandbox received. "
                "Counted: the calls in the daily totals afterwards (equal to the calls: none twice). Target: "
                "200,000 calls in ≤ 60 s with about 200 requests; the last column extrapolates by pages."
            ),
            columns=["Run", "Calls listed", "New", "Counted", "Seconds", "Requests", "s per 200,000"],
            rows=rows,
        )
    ]
