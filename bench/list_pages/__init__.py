"""The console's list pages and dashboard at 10k, 100k and 1M businesses, before and after the fixes.

At each scale the database is seeded at schema revision 0001 and migrated to head (the new indexes; the
migration is timed). Then the *before* variant runs: views with Flask-Admin's own exact `count(*)` and
unbounded OFFSET, and the dashboard's exact counts; and the *after* variant: the console's own views. Both
run on the head schema, because today's models cannot read the 0001 tables (their later columns are
missing), so *before* shows what the views change, not what the indexes do. Each request is served
in-process by the Flask test client, signed in as an admin through the sign-in form; statements are
counted and timed by SQLAlchemy cursor events. The floor is the plain SQL of the rows the page lists, run
through the same engine in the same database state.

Modules: `views` (the app and the baseline views), `pages` (what is timed and its floor SQL), `measure`
(timing and statement counts), `schema` (revision 0001 and head), `tables` (the report).
"""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from bench.environment import ensure_database
from bench.list_pages.measure import Measured, StatementClock, measure_variant
from bench.list_pages.pages import pages
from bench.list_pages.schema import migrate_to_base, migrate_to_head, reset_to_base
from bench.list_pages.tables import detail_table, targets_table
from bench.list_pages.views import VARIANTS, build_app
from bench.results import Table
from bench.seed import seed
from harness.web import filter_arg, sign_in, sort_arg
from webapp.extensions import db
from webapp.models import Role, User

SCALES = (10_000, 100_000, 1_000_000)
QUICK_SCALES = (2_000, 20_000)
REPEATS = 30
QUICK_REPEATS = 10

BENCH_EMAIL = "bench-admin@example.com"
BENCH_PASSWORD = "bench password, not a secret"


def signed_in_client(app: Flask) -> FlaskClient:
    """A test client signed in as an admin through the real sign-in form (session cookie, CSRF)."""
    if db.session.scalars(db.select(User).filter_by(email=BENCH_EMAIL)).first() is None:
        user = User(email=BENCH_EMAIL, role=Role.ADMIN)
        user.set_password(BENCH_PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    response = sign_in(client, BENCH_EMAIL, BENCH_PASSWORD)
    assert response.status_code == 302, "the bench admin could not sign in"
    return client


def run(quick: bool) -> list[Table]:
    """Seed each scale, measure both variants, and return the detail and target tables."""
    scales = QUICK_SCALES if quick else SCALES
    repeats = QUICK_REPEATS if quick else REPEATS
    ensure_database()
    app = build_app()
    with app.app_context():
        reset_to_base()
        clock = StatementClock(db.engine)
        page_list = pages(
            filter_arg(app, "phonenumber", "webhook_status", "equals"),
            sort_arg(app, "phonenumber", "last_call_at"),
        )
    measured: dict[tuple[str, int, str], Measured] = {}
    migrations: dict[int, float] = {}
    # Requests run outside any app context, so each one gets its own session and transaction, as served.
    for scale in scales:
        with app.app_context():
            migrate_to_base()
            started = time.perf_counter()
            seed(db.engine, scale)
            print(f"seeded {scale:,} businesses in {time.perf_counter() - started:.0f} s", flush=True)
            migrations[scale] = migrate_to_head()
            client = signed_in_client(app)
        with clock.listening():
            for variant in VARIANTS:
                for name, result in measure_variant(
                    client, clock, variant, page_list, scale, repeats
                ).items():
                    measured[name, scale, variant] = result
    return [
        detail_table(page_list, scales, repeats, measured, migrations),
        targets_table(page_list, scales, measured),
    ]
