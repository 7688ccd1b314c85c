"""The bench database's schema: revision 0001 (where the seed loads) afresh or from where it is, then head."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from harness.database import drop_schema
from webapp.extensions import db

BASE_REVISION = "0001"
"""The schema the seed loads into, before this work's indexes (migrated to head before any page is timed)."""


@contextmanager
def quiet_migrations() -> Iterator[None]:
    """Alembic logs every step at INFO (env.py resets its logging): keep the tables readable."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def current_revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def reset_to_base() -> None:
    """Drop every table and build schema 0001 afresh, so no index left over from elsewhere skews a run."""
    drop_schema()
    with quiet_migrations():
        upgrade(revision=BASE_REVISION)


def migrate_to_base() -> None:
    """Bring the bench database to revision 0001 from wherever it is (empty, 0001 or head)."""
    with quiet_migrations():
        revision = current_revision()
        if revision is None:
            upgrade(revision=BASE_REVISION)
        elif revision != BASE_REVISION:
            downgrade(revision=BASE_REVISION)


def migrate_to_head() -> float:
    """Upgrade to head, then vacuum; return the seconds the upgrade took (the index builds on the seeded
    rows)."""
    started = time.perf_counter()
    with quiet_migrations():
        upgrade()
    seconds = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # The migrations' backfill rewrote every business row (a dead tuple each): vacuum as autovacuum
        # soon would, so that pages are timed on the table in its steady state, index-only scans included.
        connection.execute(text("VACUUM ANALYZE businesses"))
    return seconds
