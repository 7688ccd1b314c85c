"""Fleet-wide work at Twilio's pace: the sandbox's own ceiling, check by listing, re-syncs at the account's
concurrency limit against a bare twilio-python script, and a 429 storm.

All against the sandbox at 100 ms per request. Targets (issue 15): check all of 100,000 numbers in at most
60 s with about 100 requests; re-sync 10,000 numbers with `TWILIO_MAX_CONCURRENCY=25` at 0.8 of a bare
script with 25 threads or better, the sandbox never seeing more than 25 in flight, with 2 workers and with
8 (no slower); under a sandbox capped at 10, every re-sync succeeds and, after the first seconds, under 5 %
of requests get a 429; "Provision selected" over 1,000 businesses at 0.8 of the bare script's purchase rate
or better, buying no business two numbers (`bench.fleet_provision`); worker RSS over 100,000 re-syncs
growing under 20 % (`bench.fleet_memory`: ten rounds over the 10,000 numbers, 1,056 s of the full run's
1,556 s on a quiet 2-CPU machine on 2026-12-04).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy import insert

from bench.fleet_memory import resync_memory
from bench.fleet_provision import bulk_provision
from bench.jobs_resync import (
    LATENCY_MS,
    bare_ratio,
    ideal_rate,
    mark_drifted,
    resync_seconds,
    start_resync_drifted,
)
from bench.processes import VOICE_URL, JobServices, job_services, seed_numbers
from bench.results import Table
from bench.stats import median
from harness.waits import in_new_transaction, wait_until
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_check
from webapp.models import Activity, Business, BusinessStatus, PhoneNumber
from webapp.sandbox.store import Store

LIMIT = 25
"""`TWILIO_MAX_CONCURRENCY` of the re-sync runs, and the bare script's threads."""

STORM_CAP = 10
"""The sandbox's concurrency cap in the 429 storm (below `LIMIT`)."""

STORM_SETTLE_SECONDS = 3.0
"""The storm's first seconds, while the limit finds the cap, are counted apart."""


@dataclass(frozen=True)
class Plan:
    """Scales of one mode."""

    listed: int
    fetched: int
    resyncs: int
    workers: tuple[int, ...]
    storm: int
    """Numbers re-synced in the 429 storm (none: no storm)."""
    provisions: int
    memory_rounds: int
    ceiling_threads: tuple[int, ...]
    ceiling_seconds: float
    bare_seconds: float
    """Each of the two bare runs beside a re-sync at the limit."""


QUICK = Plan(  # each part still measured, at sizes that keep the section near half a minute
    listed=2_000,
    fetched=30,
    resyncs=300,
    workers=(2,),
    storm=0,  # the storm lasts the first retry interval (15 s) at any size: full runs only
    provisions=100,
    memory_rounds=2,
    ceiling_threads=(25,),
    ceiling_seconds=1.0,
    bare_seconds=1.0,
)
FULL = Plan(
    listed=100_000,
    fetched=300,
    resyncs=10_000,
    workers=(2, 8),
    storm=3_000,
    provisions=1_000,
    memory_rounds=2,  # 20,000 re-syncs: ten rounds took 1,056 s, past a section's 10 minutes
    ceiling_threads=(25, 100, 200),
    ceiling_seconds=5.0,  # the full section took 605 s with 10-s runs
    bare_seconds=2.0,
)


def bare_rate(services: JobServices, threads: int, seconds: float, sids: list[str]) -> float:
    """Return the updates per second a bare twilio-python script with `threads` threads reaches."""
    return bare_ratio(services, sids, threads, seconds) * ideal_rate(threads)


def sandbox_ceiling(services: JobServices, plan: Plan, sids: list[str]) -> Table:
    """The sandbox's own throughput with many bare clients at once: how far it keeps up with its latency."""
    rows = []
    for threads in plan.ceiling_threads:
        services.sandbox.reset_stats()
        rate = bare_rate(services, threads, plan.ceiling_seconds, sids)
        ideal = ideal_rate(threads)
        stats = services.sandbox.stats()
        rows.append(
            [str(threads), f"{rate:.0f}", f"{ideal:.0f}", f"{rate / ideal:.2f}", str(stats["max_in_flight"])]
        )
    return Table(
        title=f"The sandbox's own ceiling (latency {LATENCY_MS} ms)",
        method=(
            f"Bare twilio-python updates from N threads for {plan.ceiling_seconds:g} s each, on the same "
            "2-CPU machine as the sandbox (so the clients' CPU counts against it). Share of ideal: rate ÷ "
            "(N ÷ latency); max in flight from `GET /_sandbox/stats`."
        ),
        columns=["Threads", "Updates/s", "Ideal/s", "Share of ideal", "Max in flight"],
        rows=rows,
    )


def check_all(services: JobServices, plan: Plan) -> Table:
    """Check all webhooks by listing over `plan.listed` numbers, and the per-number check over a list."""
    services.start_workers(1)
    rows = []
    try:
        for label, numbers in (("list walk (all)", None), ("one fetch per number", plan.fetched)):
            db.session.execute(db.delete(Activity))
            db.session.commit()
            chosen = None
            if numbers is not None:
                chosen = list(db.session.scalars(db.select(PhoneNumber).limit(numbers)))
            services.sandbox.reset_stats()
            started = time.perf_counter()
            activity = enqueue_check(chosen, None)

            def done(activity_id=activity.id) -> bool:
                return not db.session.get(Activity, activity_id).is_in_flight

            ended = wait_until(in_new_transaction(done), 600, "the webhook check to end", poll=0.1)
            seconds = ended - started
            checked = db.session.get(Activity, activity.id).result["checked"]
            requests = services.sandbox.stats()["requests"]
            per_100k = seconds / checked * 100_000
            rows.append([label, f"{checked:,}", f"{seconds:.1f}", f"{requests:,}", f"{per_100k:,.0f}"])
    finally:
        services.stop_workers()
    return Table(
        title=f"Check webhooks (sandbox at {LATENCY_MS} ms, one worker)",
        method=(
            "Check all webhooks walks Twilio's list, 1,000 numbers a page; beside it, a check of a list of "
            "numbers at most `LIST_CHECK_THRESHOLD` long, fetched one by one as every check was before. "
            "Requests: what the sandbox received. Target: 100,000 numbers in ≤ 60 s with about 100 requests "
            "(the last column extrapolates each run linearly to 100,000 numbers)."
        ),
        columns=["Check", "Numbers", "Seconds", "Requests", "Seconds per 100,000 (extrapolated)"],
        rows=rows,
    )


def resync_at_the_limit(services: JobServices, plan: Plan, number_ids: list, sids: list[str]) -> Table:
    """Re-sync drifted numbers with N workers under the shared limit, beside the bare script's rate."""
    rows = []
    for workers in plan.workers:
        services.start_workers(workers)
        try:
            mark_drifted(number_ids[: plan.resyncs])
            services.sandbox.reset_stats()
            seconds = resync_seconds(plan.resyncs, start_resync_drifted)
            stats = services.sandbox.stats()
            bare = median([bare_rate(services, LIMIT, plan.bare_seconds, sids) for _ in range(2)])
        finally:
            services.stop_workers()
        rate = plan.resyncs / seconds
        rows.append(
            [
                str(workers),
                f"{plan.resyncs:,}",
                f"{seconds:.1f}",
                f"{rate:.0f}",
                f"{bare:.0f}",
                f"{rate / bare:.2f}",
                str(stats["max_in_flight"]),
                str(stats["429s"]),
            ]
        )
    return Table(
        title=f"Re-sync at the account's limit (TWILIO_MAX_CONCURRENCY={LIMIT}, sandbox at {LATENCY_MS} ms)",
        method=(
            f'"Re-sync all drifted" over {plan.resyncs:,} numbers; each job sends its batch\'s updates '
            f"side by side under the limit shared in Redis. Bare: twilio-python with {LIMIT} threads against "
            f"the same sandbox right after (median of two {plan.bare_seconds:g}-s runs); ideal "
            f"{LIMIT / (LATENCY_MS / 1000):.0f}/s. Targets: at least 0.8 of bare; max in flight (the "
            f"sandbox's count) ≤ {LIMIT}; more workers no slower."
        ),
        columns=["Workers", "Numbers", "Seconds", "Re-syncs/s", "Bare/s", "÷ bare", "Max in flight", "429s"],
        rows=rows,
    )


def storm(services: JobServices, plan: Plan, number_ids: list) -> Table:
    """Re-sync with the sandbox capped below our limit: everything must succeed, with few 429s."""
    services.sandbox.set_faults(max_concurrency=STORM_CAP)
    services.start_workers(2)
    try:
        mark_drifted(number_ids[: plan.storm])
        services.sandbox.reset_stats()
        started = time.perf_counter()
        start_resync_drifted()
        time.sleep(max(0.0, STORM_SETTLE_SECONDS - (time.perf_counter() - started)))
        first = services.sandbox.stats()
        services.sandbox.reset_stats()
        seconds = resync_seconds(0, lambda: None) + STORM_SETTLE_SECONDS
        after = services.sandbox.stats()
    finally:
        services.stop_workers()
        services.sandbox.set_faults(max_concurrency=0)
    share = after["429s"] / max(after["requests"], 1)
    return Table(
        title=f"429 storm: the sandbox capped at {STORM_CAP}, our limit {LIMIT}",
        method=(
            f'"Re-sync all drifted" over {plan.storm:,} numbers with 2 workers, the sandbox answering 429 '
            f"beyond {STORM_CAP} in flight. First {STORM_SETTLE_SECONDS:g} s counted apart. Target: every "
            "re-sync succeeds (a failure stops the run), and after the first seconds under 5 % of requests "
            "get a 429."
        ),
        columns=[
            "Numbers",
            "Seconds",
            "First seconds: requests / 429s",
            "After: requests / 429s",
            "429 share after",
        ],
        rows=[
            [
                f"{plan.storm:,}",
                f"{seconds:.1f}",
                f"{first['requests']} / {first['429s']}",
                f"{after['requests']} / {after['429s']}",
                f"{share:.1%}",
            ]
        ],
    )


def add_listed_numbers(services: JobServices, count: int) -> None:
    """Put `count` more numbers at the sandbox and as rows, outside the pool (for the list walk's scale)."""
    phones = [f"+1989{i:07d}" for i in range(count)]
    sids = Store(services.sandbox.db_path).add_numbers(
        (phone, "switchboard:bench", {"voice_url": VOICE_URL, "voice_method": "POST"}) for phone in phones
    )
    businesses = [
        {"id": uuid.uuid4(), "name": f"Listed {i}", "status": BusinessStatus.ACTIVE} for i in range(count)
    ]
    db.session.execute(insert(Business), businesses)
    db.session.execute(
        insert(PhoneNumber),
        [
            {
                "business_id": b["id"],
                "e164": phone,
                "area_code": phone[2:5],
                "twilio_sid": sid,
                "capabilities": {},
            }
            for b, phone, sid in zip(businesses, phones, sids, strict=True)
        ],
    )
    db.session.commit()


def run(quick: bool) -> list[Table]:
    """Run the mode's plan; return its tables."""
    plan = QUICK if quick else FULL
    with job_services(TWILIO_MAX_CONCURRENCY=str(LIMIT)) as services:
        number_ids = seed_numbers(services, max(plan.resyncs, plan.storm))
        sids = list(db.session.scalars(db.select(PhoneNumber.twilio_sid)))
        services.sandbox.set_faults(latency_ms=LATENCY_MS)
        tables = [
            sandbox_ceiling(services, plan, sids),
            resync_at_the_limit(services, plan, number_ids, sids),
            *([storm(services, plan, number_ids)] if plan.storm else []),
            bulk_provision(services, plan.provisions, LIMIT, workers=2),
            resync_memory(services, number_ids, plan.memory_rounds, workers=2),
        ]
        add_listed_numbers(services, plan.listed - len(number_ids))
        tables.insert(1, check_all(services, plan))
    return tables
