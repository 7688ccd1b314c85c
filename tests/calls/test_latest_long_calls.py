"""Each number's three latest long calls, kept on its row for the idle rule, stay exact when the backfill
hands `record_calls` older calls, calls already known and calls that are not long; migration 0017 fills
them from the stored callbacks and the daily totals."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import delete, update

from tests.calls.test_daily_totals import kept_long_calls
from tests.factories import make_number
from webapp.extensions import db
from webapp.models import CallEvent, CallReport, PhoneNumber
from webapp.models.base import utcnow
from webapp.models.call_event import record_calls
from webapp.models.long_call import LATEST_LONG_CALLS

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0017_latest_long_calls.py"


def report(
    number: PhoneNumber, sid: int, at: datetime, seconds: int, status: str = "completed"
) -> CallReport:
    """A callback for the call `sid` to `number`, ended at `at`."""
    return CallReport(f"CA{sid:032x}", status, number.e164, "+14155550199", "inbound", seconds, at)


def test_the_backfill_s_older_known_and_short_calls_keep_the_three_latest_exact(app):
    number = make_number()
    now = utcnow().replace(microsecond=0)
    at = {days: now - timedelta(days=days) for days in range(1, 10)}
    record_calls([report(number, 6, at[6], 40), report(number, 5, at[5], 12)])

    record_calls(
        [
            report(number, 6, at[6], 40),  # known already: counted once
            report(number, 9, at[9], 90),  # older: kept only while there are fewer than three
            report(number, 2, at[2], 11),  # short
            report(number, 1, at[1], 60, status="busy"),  # not completed
            report(number, 3, at[3], 60, status="no-answer"),
            report(number, 3, at[3], 60),  # its first ending status decides: not a completed call
        ]
    )
    assert kept_long_calls(number) == [at[5], at[6], at[9]]

    record_calls([report(number, 4, at[4], 15), report(number, 7, at[7], 15)])
    assert kept_long_calls(number) == [at[4], at[5], at[6]]


def test_migration_0017_fills_the_latest_long_calls_from_the_callbacks_and_the_daily_totals(app):
    number, quiet = make_number(), make_number()
    now = utcnow().replace(microsecond=0)
    at = [now - timedelta(days=days, hours=1) for days in (1, 2, 3, 4)]
    record_calls([report(number, sid, when, 30) for sid, when in enumerate(at, start=100)])
    record_calls([report(quiet, 200, now, 5)])
    pruned = f"CA{102:032x}"  # the callback of the third-latest call, pruned
    db.session.execute(delete(CallEvent).where(CallEvent.call_sid == pruned))
    db.session.execute(update(PhoneNumber).values(dict.fromkeys((c.key for c in LATEST_LONG_CALLS), None)))
    db.session.commit()
    spec = importlib.util.spec_from_file_location("migration_0017", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    migration.fill_latest_long_calls(db.session.connection())
    db.session.commit()

    midnight = datetime.combine(at[2].date(), time(), UTC)
    assert kept_long_calls(number) == [at[0], at[1], midnight]
    assert kept_long_calls(quiet) == [None, None, None]
