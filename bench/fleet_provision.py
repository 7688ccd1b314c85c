"""Bulk provision at the account's limit: "Provision selected" over many businesses beside a bare
twilio-python script with as many threads, against the same sandbox at 100 ms (a part of `bench.fleet`)."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import insert
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bench.jobs_resync import LATENCY_MS
from bench.processes import AREA_CODES, JobServices
from bench.results import Table
from bench.stats import median
from harness.waits import in_new_transaction, wait_until
from webapp.extensions import db
from webapp.jobs.enqueue.bulk import enqueue_bulk_provision
from webapp.models import IN_FLIGHT, Activity, ActivityKind, ActivityStatus, Business, BusinessStatus

BARE_SECONDS = 3.0
"""How long each run of the bare script buys numbers."""

BARE_SEARCH = 20
"""Numbers the bare script asks each search for; it buys one of them at random."""


def bare_purchase_rate(services: JobServices, threads: int) -> tuple[float, float]:
    """Return the purchases per second of a bare script with `threads` threads, each searching an area code
    and buying one of the numbers offered (Twilio's own "search, then buy" recipe; a number another thread
    took first is skipped), and its requests per purchase."""

    def loop(offset: int) -> tuple[int, int]:
        client = Client(services.sandbox.account_sid, services.sandbox.auth_token)
        client.api.base_url = services.sandbox.base_url
        bought = sent = 0
        ends = time.perf_counter() + BARE_SECONDS
        while time.perf_counter() < ends:
            area_code = AREA_CODES[(offset + sent) % len(AREA_CODES)]
            offered = client.available_phone_numbers("US").local.list(area_code=area_code, limit=BARE_SEARCH)
            sent += 2
            try:
                client.incoming_phone_numbers.create(
                    phone_number=random.choice(offered).phone_number, friendly_name=f"bare:{offset}"
                )
                bought += 1
            except TwilioRestException as error:
                if error.code != 21422:
                    raise
        return bought, sent

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(loop, range(threads)))
    seconds = time.perf_counter() - started
    bought = sum(b for b, _ in outcomes)
    return bought / seconds, sum(s for _, s in outcomes) / max(bought, 1)


def new_businesses(count: int) -> list[uuid.UUID]:
    """Insert `count` active businesses without numbers, their preferred area codes in turn."""
    rows = [
        {
            "id": uuid.uuid4(),
            "name": f"Bulk provision {i:05d}",
            "status": BusinessStatus.ACTIVE,
            "preferred_area_code": AREA_CODES[i % len(AREA_CODES)],
        }
        for i in range(count)
    ]
    db.session.execute(insert(Business), rows)
    db.session.commit()
    return [row["id"] for row in rows]


def duplicates(services: JobServices) -> int:
    """Return how many businesses the sandbox holds more than one number for."""
    names = Counter(
        n["friendly_name"]
        for n in services.sandbox.owned_numbers()
        if n["friendly_name"].startswith("switchboard:")
    )
    return sum(1 for count in names.values() if count > 1)


def bulk_provision(services: JobServices, count: int, limit: int, workers: int) -> Table:
    """Provision `count` new businesses as "Provision selected" does, beside the bare script's rate."""
    business_ids = new_businesses(count)
    services.start_workers(workers)
    try:
        services.sandbox.reset_stats()
        started = time.perf_counter()
        businesses = list(db.session.scalars(db.select(Business).where(Business.id.in_(business_ids))))
        enqueue_bulk_provision(businesses, None)

        def none_in_flight() -> bool:
            return not db.session.scalar(
                db.select(db.func.count())
                .select_from(Activity)
                .where(Activity.kind == ActivityKind.PROVISION, Activity.status.in_(IN_FLIGHT))
            )

        ended = wait_until(in_new_transaction(none_in_flight), count + 120, "the provisions to end", poll=0.1)
        stats = services.sandbox.stats()
    finally:
        services.stop_workers()
    succeeded = db.session.scalar(
        db.select(db.func.count())
        .select_from(Activity)
        .where(Activity.kind == ActivityKind.PROVISION, Activity.status == ActivityStatus.SUCCEEDED)
    )
    if succeeded != count:
        raise RuntimeError(f"{count - succeeded} of {count} provisions did not succeed; see the workers' log")
    rate = count / (ended - started)
    runs = [bare_purchase_rate(services, limit) for _ in range(2)]
    bare = median([r for r, _ in runs])
    return Table(
        title=f"Bulk provision (TWILIO_MAX_CONCURRENCY={limit}, sandbox at {LATENCY_MS} ms)",
        method=(
            f'"Provision selected" (`enqueue_bulk_provision`) over {count:,} new businesses, their preferred '
            f"area codes in turn, {workers} workers; timed from the click to the last Activity ended. Bare: "
            f"twilio-python with {limit} threads right after, each searching an area code and buying one of "
            f"the {BARE_SEARCH} numbers offered (median of two {BARE_SECONDS:g}-s runs). Each of our "
            "purchases first looks for a number an earlier attempt bought (so nothing is bought twice), then "
            "buys in the area code in one request. Duplicates: businesses the sandbox holds two numbers for. "
            "Targets: at "
            f"least 0.8 of bare; 0 duplicates; max in flight ≤ {limit}."
        ),
        columns=[
            "Businesses",
            "Seconds",
            "Purchases/s",
            "Requests per purchase",
            "Bare/s",
            "Bare requests per purchase",
            "÷ bare",
            "Max in flight",
            "Duplicates",
        ],
        rows=[
            [
                f"{count:,}",
                f"{ended - started:.1f}",
                f"{rate:.0f}",
                f"{stats['requests'] / count:.2f}",
                f"{bare:.0f}",
                f"{median([r for _, r in runs]):.2f}",
                f"{rate / bare:.2f}",
                str(stats["max_in_flight"]),
                str(duplicates(services)),
            ]
        ],
    )
