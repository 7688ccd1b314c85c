"""Pages that read calls, at a reduced scale: the Idle numbers page, the numbers list sorted by last call and
by number, and the dashboard.

Seeds the bench database (`bench/seed.py`, two-thirds of the businesses with a number), migrates to head,
then gives 80 % of the numbers a last call within 40 days and 70 % of them calls on about a third of the
last 30 days (one to three calls a day, one call in two 12 s or longer): the other 30 % stay idle. Each
page is served in-process by the Flask test client, signed in as an admin. Issue 30's targets are for
100,000 numbers with 3,000,000 stored callbacks (numbers list sorted by last call p95 ≤ 150 ms, idle page
p95 ≤ 200 ms); a quick run measures 20,000 numbers. The idle rule reads each number's kept latest long
calls (migration 0017) through their index, and a list page sums `call_days` for its own rows only, so
each page's cost grows with the rows it matches (the idle page's count: the at-risk numbers), not with the
daily totals. Call callbacks (`call_events`) are not seeded: none of these pages reads them but the
dashboard's last-hour count, an index range of one hour's arrivals.
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from bench.list_pages import build_app, migrate_to_head, reset_to_base, signed_in_client
from bench.results import Table
from bench.seed import seed
from bench.stats import median, percentile, time_calls
from harness.web import sort_arg
from webapp.extensions import db
from webapp.models import CallDay, PhoneNumber

QUICK_SCALES = (30_000,)
FULL_SCALES = (150_000,)
"""Businesses seeded; two-thirds get a number (20,000 quick; 100,000 in full)."""

REPEATS = 20
QUICK_REPEATS = 10

CALLS_SQL = (
    "UPDATE phone_numbers SET last_call_at = now() - (abs(hashtext(id::text)) % 40) * interval '1 day', "
    "last_call_status = 'completed', last_call_duration = 30 WHERE abs(hashtext(id::text)) % 10 < 8",
    "INSERT INTO call_days (phone_number_id, day, calls, completed, long_calls, talk_seconds) "
    "SELECT p.id, current_date - d, 1 + h / 3 % 3, 1 + h / 3 % 3, (1 + h / 3 % 3) / 2, 20 * (1 + h / 3 % 3) "
    "FROM phone_numbers p CROSS JOIN generate_series(0, 29) d "
    "CROSS JOIN LATERAL (SELECT abs(hashtext(p.id::text || d::text)) AS h) x "
    "WHERE abs(hashtext(p.id::text)) % 10 < 7 AND x.h % 3 = 0",
    "UPDATE phone_numbers p SET last_long_call_at = l.at[1], second_long_call_at = l.at[2], "
    "third_long_call_at = l.at[3] FROM (SELECT phone_number_id, "
    "array_agg(day::timestamp AT TIME ZONE 'UTC' ORDER BY day DESC) AS at FROM call_days "
    "WHERE long_calls > 0 GROUP BY phone_number_id) l WHERE l.phone_number_id = p.id",
)
"""Last calls, 30 days of daily totals and each number's three latest long calls (at most one a day is
seeded, so a day's midnight stands for its long call, as migration 0017 fills them), drawn from hashes of
the ids so every run seeds the same rows."""


def seed_calls() -> None:
    """Give the seeded numbers their last calls and daily totals, then analyse both tables."""
    for statement in CALLS_SQL:
        db.session.execute(text(statement))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("phone_numbers", "call_days"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def ms(samples: list[float], fraction: float | None = None) -> str:
    value = median(samples) if fraction is None else percentile(samples, fraction)
    return f"{value * 1000:.1f}"


def run(quick: bool) -> list[Table]:
    """Seed each scale and time each page; return the table."""
    app = build_app()
    rows = []
    repeats = QUICK_REPEATS if quick else REPEATS
    # Requests run outside any app context, so each one gets its own session and transaction, as served.
    for businesses in QUICK_SCALES if quick else FULL_SCALES:
        with app.app_context():
            reset_to_base()
            seed(db.engine, businesses)
            migrate_to_head()
            seed_calls()
            numbers = db.session.scalar(select(func.count()).select_from(PhoneNumber)) or 0
            days = db.session.scalar(select(func.count()).select_from(CallDay)) or 0
            calls = db.session.scalar(select(func.sum(CallDay.calls))) or 0
            client = signed_in_client(app)
        last_call = sort_arg(app, "phonenumber", "last_call_at")
        for label, url in (
            ("Idle numbers", "/admin/idle-numbers/"),
            ("numbers by last call", f"/admin/phonenumber/?sort={last_call}&desc=1"),
            ("numbers by number", "/admin/phonenumber/"),
            ("dashboard", "/admin/"),
        ):
            assert client.get(url).status_code == 200, url
            samples = time_calls(lambda u=url, c=client: c.get(u), repeats)
            counts = [f"{numbers:,}", f"{days:,}", f"{calls:,}"]
            rows.append([*counts, label, ms(samples), ms(samples, 0.95)])
    return [
        Table(
            title="Pages that read calls (reduced scale)",
            method=(
                f"Each page {repeats} times after 2 warm-ups on the seeded bench database (PostgreSQL), p50 "
                "and p95, in-process (Flask test client, signed-in admin). Targets (issue 30, at 100,000 "
                "numbers): numbers by last call p95 ≤ 150 ms, Idle numbers p95 ≤ 200 ms. A quick run "
                "measures 20,000 numbers."
            ),
            columns=["Numbers", "Daily totals", "Calls (30 d)", "Page", "p50 ms", "p95 ms"],
            rows=rows,
        )
    ]
