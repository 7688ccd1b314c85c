"""Bulk webhook re-sync throughput: "Re-sync all drifted" over many numbers, against the sandbox at 100 ms.

Each run marks the numbers drifted, starts `enqueue_resync_drifted` as the console does, and times it until
every number is back in sync. Numbers per second are compared with the ideal, `workers / latency` (each
worker always waiting on exactly one Twilio request). Target: at least 0.85 of ideal at every worker count.

For reference, each run is followed by one second of the bare `twilio` library, with as many threads as
workers, against the same sandbox: what the sandbox and the machine allow at that moment. The per-number
path (`enqueue_resync` for each number, one RQ job and one forked work-horse each, as a single number's
Re-sync button does) is measured in full mode, to show what batching many numbers into one job gains.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from twilio.rest import Client

from bench.processes import ELSEWHERE, VOICE_URL, JobServices, job_services, seed_numbers
from bench.results import Table
from bench.stats import median
from harness.waits import in_new_transaction, wait_until
from webapp.extensions import db
from webapp.jobs.enqueue.batches import RESYNC_BATCH_SIZE
from webapp.jobs.enqueue.kinds import enqueue_resync, enqueue_resync_drifted
from webapp.models import Activity, ActivityStatus, PhoneNumber, WebhookStatus
from webapp.twilio_client.configuration import WEBHOOK_METHOD

LATENCY_MS = 100
"""Latency the sandbox adds to every Twilio request during the runs."""

TARGET = 0.85
"""Share of the ideal rate every worker count must reach."""


@dataclass(frozen=True)
class Plan:
    """What one mode runs: worker counts, numbers per worker count, runs of each, and the per-number path."""

    workers: tuple[int, ...]
    numbers: Callable[[int], int]
    runs: int
    bare_seconds: float
    per_number: tuple[tuple[int, int], ...]  # (workers, numbers) for the one-job-per-number comparison


QUICK = Plan(workers=(1, 2), numbers=lambda workers: 30 * workers, runs=1, bare_seconds=0.5, per_number=())
FULL = Plan(  # 500 re-syncs per worker: each run lasts about 50 s at the ideal rate, the section ~10 minutes
    workers=(1, 2, 4, 8),
    numbers=lambda workers: 500 * workers,
    runs=2,
    bare_seconds=1.0,
    per_number=((1, 200), (4, 600)),
)


def mark_drifted(number_ids: list[uuid.UUID]) -> None:
    """Forget every Activity, and mark `number_ids` drifted and every other number in sync."""
    db.session.execute(db.delete(Activity))
    db.session.execute(
        db.update(PhoneNumber).values(webhook_status=WebhookStatus.IN_SYNC, voice_url=VOICE_URL)
    )
    for first in range(0, len(number_ids), 1000):
        db.session.execute(
            db.update(PhoneNumber)
            .where(PhoneNumber.id.in_(number_ids[first : first + 1000]))
            .values(webhook_status=WebhookStatus.DRIFTED, voice_url=ELSEWHERE)
        )
    db.session.commit()


def resync_seconds(count: int, start: Callable[[], object]) -> float:
    """Run `start` and return the seconds until `count` numbers are in sync; check none failed."""

    def all_in_sync() -> bool:
        synced = db.session.scalar(
            db.select(db.func.count())
            .select_from(PhoneNumber)
            .where(PhoneNumber.webhook_status == WebhookStatus.IN_SYNC)
        )
        return synced == total

    total = db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber))
    started = time.perf_counter()
    start()
    ended = wait_until(
        in_new_transaction(all_in_sync),
        count * LATENCY_MS / 1000 * 3 + 60,
        f"{total:,} numbers in sync",
        poll=0.05 if count < 2000 else 0.2,
    )
    failed = db.session.scalar(
        db.select(db.func.count()).select_from(Activity).where(Activity.status == ActivityStatus.FAILED)
    )
    if failed:
        raise RuntimeError(f"{failed} activities failed during the run; see the workers' log")
    return ended - started


def start_resync_drifted() -> None:
    """Start re-syncing every drifted number as "Re-sync all drifted" does."""
    enqueue_resync_drifted(None)


def start_each_resync() -> None:
    """Start re-syncing every drifted number one `enqueue_resync` at a time, as "Re-sync selected" does."""
    drifted = db.select(PhoneNumber).where(PhoneNumber.webhook_status == WebhookStatus.DRIFTED)
    for number in db.session.scalars(drifted).all():
        enqueue_resync(number, None)


def bare_ratio(services: JobServices, sids: list[str], threads: int, seconds: float) -> float:
    """Return the bare library's updates per second with `threads` threads for `seconds`, over ideal."""

    def loop(offset: int) -> int:
        client = Client(services.sandbox.account_sid, services.sandbox.auth_token)
        client.api.base_url = services.sandbox.base_url
        sent, ends = 0, time.perf_counter() + seconds
        while time.perf_counter() < ends:
            client.incoming_phone_numbers(sids[(offset + sent * threads) % len(sids)]).update(
                voice_url=VOICE_URL, voice_method=WEBHOOK_METHOD, status_callback_method=WEBHOOK_METHOD
            )
            sent += 1
        return sent

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        sent = sum(pool.map(loop, range(threads)))
    return sent / (time.perf_counter() - started) / ideal_rate(threads)


def ideal_rate(workers: int) -> float:
    """Numbers per second if each worker did nothing but wait on one request at a time."""
    return workers / (LATENCY_MS / 1000)


def measure(
    services: JobServices,
    number_ids: list[uuid.UUID],
    sids: list[str],
    plan: Plan,
    workers: int,
    count: int,
    runs: int,
    batched: bool,
) -> list[str]:
    """Start `workers` workers, run `runs` re-syncs of `count` numbers; return the table row (medians)."""
    services.start_workers(workers)
    chosen = number_ids[:count]
    rates, bare = [], []
    try:
        for _ in range(runs):
            mark_drifted(chosen)
            seconds = resync_seconds(count, start_resync_drifted if batched else start_each_resync)
            rates.append(count / seconds)
            bare.append(bare_ratio(services, sids, workers, plan.bare_seconds))
    finally:
        services.stop_workers()
    rate = median(rates)
    ratio = rate / ideal_rate(workers)
    return [
        f"{RESYNC_BATCH_SIZE} per job" if batched else "1 per job",
        str(workers),
        f"{count:,}",
        f"{count / rate:.1f}",
        f"{rate:.1f}",
        f"{ideal_rate(workers):.0f}",
        f"{ratio:.3f}",
        f"{median(bare):.3f}",
        ("yes" if ratio >= TARGET else "no") if batched else "(comparison)",
    ]


def run(quick: bool, runs: int | None = None) -> list[Table]:
    """Run the plan for the mode (`runs` overrides its runs per worker count); return the table."""
    plan = QUICK if quick else FULL
    runs = runs or plan.runs
    most = max([plan.numbers(workers) for workers in plan.workers] + [count for _, count in plan.per_number])
    with job_services() as services:
        number_ids = seed_numbers(services, most)
        sids = list(db.session.scalars(db.select(PhoneNumber.twilio_sid)))
        services.sandbox.set_faults(latency_ms=LATENCY_MS)
        # Most workers first: their runs are the shortest, so a setup that cannot reach the target shows
        # within minutes, not after the single worker's long runs. The table lists them in plan order.
        measured = {
            workers: measure(
                services, number_ids, sids, plan, workers, plan.numbers(workers), runs, batched=True
            )
            for workers in sorted(plan.workers, reverse=True)
        }
        rows = [measured[workers] for workers in plan.workers]
        rows += [
            measure(services, number_ids, sids, plan, workers, count, runs, batched=False)
            for workers, count in plan.per_number
        ]
    sizes = ", ".join(f"{plan.numbers(w):,} numbers with {w} worker{'s' * (w > 1)}" for w in plan.workers)
    return [
        Table(
            title=f"Bulk webhook re-sync throughput (sandbox at {LATENCY_MS} ms)",
            method=(
                f"{'Quick' if quick else 'Full'} run: {sizes}; median of {runs} runs each. One run: mark "
                "the numbers drifted, start 'Re-sync all drifted' (`enqueue_resync_drifted`), time until "
                f"every number is in sync. Ideal = workers / {LATENCY_MS} ms. Re-syncs go up to "
                f"{RESYNC_BATCH_SIZE} to an RQ job (one Activity each, as many jobs as a multiple of the "
                "workers); '1 per job' is `enqueue_resync` per number, one forked work-horse each. 'bare "
                f"twilio' = the bare library with as many threads, {plan.bare_seconds:g} s after each run, "
                f"over ideal: the ceiling the sandbox and the machine allowed then. Target: ratio ≥ {TARGET}."
            ),
            columns=[
                "re-syncs",
                "workers",
                "numbers",
                "seconds",
                "numbers/s",
                "ideal/s",
                "ratio",
                "bare twilio ratio",
                "target met",
            ],
            rows=rows,
        )
    ]
