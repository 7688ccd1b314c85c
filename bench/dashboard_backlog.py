"""The dashboard at scale: the backlog's count (the anti-join it was, the flag with its index) and the page
with its counts by status counted on each view or taken from the workers' latest count.

Seeds the bench database (`bench/seed.py`: about a fifth of the businesses are active without a number),
upgrades to head, then times the backlog's capped count and oldest-first list both ways on the same rows,
and the whole dashboard page both ways. The page is timed at 2,000 businesses and at 1,000,000 (20,000 in
a quick run, whose growth is all it shows). Target: dashboard p95 at most 30 ms at 1,000,000 businesses with
about 200,000 awaiting (the seed's mix leaves 212,121).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import exists, func, literal_column, select, text

from bench.list_pages import build_app, migrate_to_head, reset_to_base, signed_in_client
from bench.results import Table
from bench.seed import seed
from bench.stats import median, percentile, time_calls
from webapp.admin.counts import COUNT_CAP, capped_count
from webapp.extensions import db
from webapp.jobs.reads.fleet_counts import KEY as FLEET_COUNTS_KEY
from webapp.jobs.tasks.fleet_gauges import count_fleet
from webapp.models import Business, BusinessStatus, PhoneNumber
from webapp.models.business import awaiting_number
from webapp.redis_connection import get_redis

QUICK_SCALES = (2_000, 20_000)
FULL_SCALES = (2_000, 1_000_000)

REPEATS = 30


def anti_join() -> Any:
    """The backlog's condition before the flag: active businesses with no number row."""
    return (Business.status == BusinessStatus.ACTIVE) & ~exists().where(
        PhoneNumber.business_id == Business.id
    )


def capped(condition: Any) -> Any:
    return capped_count(select(literal_column("1")).select_from(Business).where(condition), COUNT_CAP)


def oldest(condition: Any) -> Any:
    return select(Business.id).where(condition).order_by(Business.created_at).limit(20)


def plan_of(statement: Any) -> str:
    """Return the first line of PostgreSQL's EXPLAIN ANALYZE naming an index or a scan of the statement."""
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    lines = [row[0] for row in db.session.execute(text(f"EXPLAIN ANALYZE {compiled}"))]
    scans = [line.strip().lstrip("-> ") for line in lines if "Scan" in line]
    return scans[0].split("  (")[0] if scans else lines[0]


def ms(seconds: list[float], fraction: float | None = None) -> str:
    value = median(seconds) if fraction is None else percentile(seconds, fraction)
    return f"{value * 1000:.1f}"


def run(quick: bool) -> list[Table]:
    """Seed each scale, and time the backlog both ways and the dashboard; return the table."""
    app = build_app()
    rows = []
    pages: dict[str, list[float]] = {}  # p95 seconds by variant, one per scale
    for businesses in QUICK_SCALES if quick else FULL_SCALES:
        with app.app_context():  # one per scale: the pages share it (its session, Flask-Login's user)
            started = time.perf_counter()
            reset_to_base()
            seed(db.engine, businesses)
            migrate_to_head()
            print(f"seeded and migrated {businesses:,} businesses in {time.perf_counter() - started:.0f} s")
            awaiting = db.session.scalar(select(func.count()).select_from(Business).where(awaiting_number()))
            for label, condition in (
                ("anti-join (before)", anti_join()),
                ("flag + partial index", awaiting_number()),
            ):
                for what, statement in (
                    ("capped count", capped(condition)),
                    ("oldest 20", oldest(condition)),
                ):
                    samples = time_calls(lambda s=statement: db.session.execute(s).all(), REPEATS)
                    rows.append(
                        [
                            f"{businesses:,}",
                            f"{awaiting:,}",
                            f"{what}, {label}",
                            ms(samples),
                            ms(samples, 0.95),
                            plan_of(statement),
                        ]
                    )
            client = signed_in_client(app)
            get_redis().delete(FLEET_COUNTS_KEY)
            for label, counted in (("counted on each view", False), ("the workers' latest count", True)):
                if counted:
                    count_fleet()
                page = time_calls(lambda c=client: c.get("/admin/"), REPEATS)
                pages.setdefault(label, []).append(percentile(page, 0.95))
                rows.append(
                    [
                        f"{businesses:,}",
                        f"{awaiting:,}",
                        f"dashboard page, {label}",
                        ms(page),
                        ms(page, 0.95),
                        "",
                    ]
                )
            get_redis().delete(FLEET_COUNTS_KEY)
    scales = QUICK_SCALES if quick else FULL_SCALES
    return [
        Table(
            title="Dashboard backlog at scale: awaiting a number",
            method=(
                f"Each statement {REPEATS} times after 2 warm-ups on the seeded bench database (PostgreSQL), "
                f"p50 and p95; the count is exact up to {COUNT_CAP:,} and reads at most {COUNT_CAP + 1:,} "
                "rows. "
                "Plan: the first scan node of EXPLAIN ANALYZE. Dashboard page: the whole page in-process "
                "(Flask test client, signed-in admin), its counts by status and backlog total counted on "
                "each view (capped scans, as before) or read from the workers' latest count "
                "(`fleet_gauges`, stored in Redis). Target: dashboard p95 ≤ 30 ms at 1,000,000 businesses."
            ),
            columns=["Businesses", "Awaiting", "Statement", "p50 ms", "p95 ms", "Plan"],
            rows=rows,
        ),
        Table(
            title="Dashboard growth with the tables",
            method=(
                f"p95 of the dashboard page at {scales[-1]:,} businesses ÷ at {scales[0]:,}, from the table "
                "above. A page whose statements read a bounded number of rows stays near 1.0 at any size."
            ),
            columns=["Dashboard counts", f"p95 ms at {scales[0]:,}", f"p95 ms at {scales[-1]:,}", "Growth"],
            rows=[
                [label, f"{p95[0] * 1000:.1f}", f"{p95[-1] * 1000:.1f}", f"{p95[-1] / p95[0]:.2f}"]
                for label, p95 in pages.items()
            ],
        ),
    ]
