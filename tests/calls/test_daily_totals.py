"""Daily call totals count each call once, on the day it ended, whatever the callbacks' repeats and order;
the backfill adds exactly what dropped callbacks missed, over one page or several."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from harness.sandbox import SandboxProcess
from harness.waits import wait_until
from harness.workers import sandbox_settings
from tests.callbacks.helpers import PUBLIC_BASE_URL, START, callback, new_call_sid, post_signed
from tests.factories import make_number
from webapp.extensions import db
from webapp.jobs.reads.call_backfill import BackfillRefused, backfill_calls
from webapp.models import CallDay, CallEvent, CallReport, PhoneNumber
from webapp.models.base import utcnow
from webapp.models.call_day import LONG_CALL_SECONDS
from webapp.models.call_event import record_calls, unknown_call_count
from webapp.models.long_call import LATEST_LONG_CALLS
from webapp.sandbox.render import ended_inbound_call
from webapp.sandbox.store import Store

CALLER = "+14155550199"


def totals(number: PhoneNumber) -> dict[date, tuple[int, int, int, int]]:
    """The number's daily totals: (calls, completed, long calls, talk seconds) by day."""
    db.session.rollback()
    rows = db.session.scalars(select(CallDay).where(CallDay.phone_number_id == number.id))
    return {row.day: (row.calls, row.completed, row.long_calls, row.talk_seconds) for row in rows}


def kept_long_calls(number: PhoneNumber) -> list[datetime | None]:
    """The number's three latest long calls as its row keeps them, latest first."""
    db.session.rollback()
    return list(db.session.execute(select(*LATEST_LONG_CALLS).where(PhoneNumber.id == number.id)).one())


def long_calls_heard(number: PhoneNumber) -> list[datetime]:
    """The three latest long calls among the number's stored callbacks, latest first."""
    db.session.rollback()
    query = (
        select(CallEvent.occurred_at)
        .where(
            CallEvent.phone_number_id == number.id,
            CallEvent.call_status == "completed",
            CallEvent.duration_seconds >= LONG_CALL_SECONDS,
        )
        .order_by(CallEvent.occurred_at.desc())
        .limit(3)
    )
    return list(db.session.scalars(query))


def two_days_of_calls(number: PhoneNumber) -> list[dict[str, str]]:
    """Callbacks of eight calls over two days: 5 ended the first day (4 completed, 3 of them long, 118 s),
    2 the next (1 completed and long, 40 s), the last at 24:30."""
    first_day, next_day = new_call_sid(), new_call_sid()
    return [
        callback(number.e164, first_day, "ringing", None, minute=0),
        callback(number.e164, first_day, "in-progress", None, minute=1),
        callback(number.e164, first_day, "completed", 65, minute=2),
        callback(number.e164, new_call_sid(), "completed", 11, minute=5),  # under 12 s: not a long call
        callback(number.e164, new_call_sid(), "busy", 0, minute=6),
        callback(number.e164, next_day, "ringing", None, minute=24 * 60 + 1),
        callback(number.e164, next_day, "no-answer", 0, minute=24 * 60 + 2),
        callback(number.e164, new_call_sid(), "completed", 30, minute=10),
        callback(number.e164, new_call_sid(), "completed", 12, minute=20),
        callback(number.e164, new_call_sid(), "completed", 40, minute=24 * 60 + 30),
    ]


def assert_two_days_counted_once(number: PhoneNumber) -> None:
    """The totals, kept long calls and last call of `two_days_of_calls`, each call counted once."""
    assert totals(number) == {START.date(): (5, 4, 3, 118), START.date() + timedelta(days=1): (2, 1, 1, 40)}
    after = [START + timedelta(minutes=minutes) for minutes in (24 * 60 + 30, 20, 10)]
    assert kept_long_calls(number) == after  # the three latest of four long calls, whatever the order
    last = db.session.execute(
        select(PhoneNumber.last_call_at, PhoneNumber.last_call_status, PhoneNumber.last_call_duration).where(
            PhoneNumber.id == number.id
        )
    ).one()
    assert tuple(last) == (after[0], "completed", 40)


@pytest.mark.parametrize("seed", range(3))
def test_duplicates_and_reordering_leave_exact_daily_totals(make_app, seed):
    app = make_app(PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    client = app.test_client()
    number = make_number()
    posts = two_days_of_calls(number) * 3
    random.Random(seed).shuffle(posts)

    assert {post_signed(client, form).status_code for form in posts} == {204}

    assert_two_days_counted_once(number)


@pytest.mark.postgres_only  # the one-statement path (`models.one_call`) is PostgreSQL's
@pytest.mark.parametrize("seed", range(3))
def test_concurrent_repeats_in_any_order_count_each_call_once(make_app, seed):
    app = make_app(PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    number = make_number()
    posts = two_days_of_calls(number) * 4
    random.Random(seed).shuffle(posts)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = set(pool.map(lambda form: post_signed(app.test_client(), form).status_code, posts))

    assert statuses == {204}
    assert db.session.scalar(select(func.count()).select_from(CallEvent)) == 10
    assert_two_days_counted_once(number)


@pytest.fixture
def sandbox_app(make_app, sandbox):
    return make_app(**sandbox_settings(sandbox))


def test_a_backfill_after_dropped_callbacks_leaves_exact_counts(
    sandbox_app, sandbox: SandboxProcess, make_rest_client, live_server: str
):
    rest = make_rest_client(sandbox)
    bought = rest.incoming_phone_numbers.create(
        area_code="415",
        voice_url="http://127.0.0.1:9/voice",
        status_callback=live_server + "/twilio/call-status",
    )
    number = make_number(e164=bought.phone_number, twilio_sid=bought.sid)
    heard = [sandbox.place_call(number.e164, CALLER, "completed", 30) for _ in range(3)]
    sandbox.set_faults("callback_drop=1")
    missed = [
        sandbox.place_call(number.e164, CALLER, status, 20) for status in ("completed", "busy", "completed")
    ]
    sandbox.set_faults("callback_duplicate=1")
    heard.append(sandbox.place_call(number.e164, CALLER, "no-answer", 0))
    assert [p["callback_status"] for p in heard] == [204] * 4
    assert [p["callback_status"] for p in missed] == [None] * 3
    today = utcnow().date()
    wait_until(lambda: totals(number).get(today, (0,))[0] == 4, timeout=10, what="the heard calls")

    first = backfill_calls(1)
    again = sandbox_app.test_cli_runner().invoke(args=["numbers", "backfill-calls", "--days", "1"])

    assert (first.pages, first.calls, first.recorded) == (1, 7, 3)
    assert again.exit_code == 0 and again.output == "Read 7 calls in 1 pages; 0 were new.\n"
    assert totals(number) == {today: (7, 5, 5, 3 * 30 + 2 * 20)}
    assert kept_long_calls(number) == long_calls_heard(number)
    assert db.session.get(PhoneNumber, number.id).last_call_at is not None


def test_a_backfill_past_the_kept_callbacks_is_refused(sandbox_app, sandbox: SandboxProcess):
    with pytest.raises(BackfillRefused, match="CALL_EVENTS_KEEP_DAYS"):
        backfill_calls(31)
    refused = sandbox_app.test_cli_runner().invoke(args=["numbers", "backfill-calls", "--days", "0"])
    assert refused.exit_code == 1 and "Days must be from 1 to 30 (CALL_EVENTS_KEEP_DAYS)" in refused.output
    assert sandbox.stats()["requests"] == 0


def test_a_backfill_of_several_pages_counts_exactly_what_the_callbacks_missed(
    sandbox_app, sandbox: SandboxProcess
):
    ours, unknown = [make_number(), make_number()], "+14155550142"
    now = utcnow().replace(microsecond=0)
    calls, reports = [], []
    for index in range(2_345):  # three pages of 1,000, over the last 20 hours (two days in UTC)
        ended = now - timedelta(seconds=index * 30 + 60)
        to = unknown if index % 7 == 0 else ours[index % 2].e164
        status, seconds = ("completed", index % 40) if index % 5 else ("no-answer", 0)
        started = ended - timedelta(seconds=seconds)
        record = ended_inbound_call(
            new_call_sid(), sandbox.account_sid, to, CALLER, None, started, ended, status, seconds
        )
        calls.append(record)
        reports.append(CallReport(record["sid"], status, to, CALLER, "inbound", seconds, ended))
    Store(sandbox.db_path).save_records("calls", [(c["sid"], c) for c in calls])
    record_calls([replace(r, call_status="ringing", duration_seconds=None) for r in reports])
    record_calls(reports[::3])  # the callbacks heard
    sandbox.reset("counts")

    done = backfill_calls(1)
    again = backfill_calls(1)

    assert (done.pages, done.calls, done.recorded, again.recorded) == (3, 2_345, 2_345 - 782, 0)
    assert sandbox.stats()["requests"] == 6
    for number in ours:
        theirs = [c for c in calls if c["to"] == number.e164]
        expected: dict[date, list[int]] = {}
        for c in theirs:
            day = expected.setdefault(parsedate_to_datetime(c["end_time"]).date(), [0, 0, 0, 0])
            seconds = int(c["duration"])
            day[0] += 1
            day[1] += c["status"] == "completed"
            day[2] += c["status"] == "completed" and seconds >= LONG_CALL_SECONDS
            day[3] += seconds
        newest = theirs[0]
        assert totals(number) == {day: tuple(counts) for day, counts in expected.items()}
        assert kept_long_calls(number) == long_calls_heard(number)
        row = db.session.get(PhoneNumber, number.id)
        assert row is not None
        assert (row.last_call_at, row.last_call_status) == (
            parsedate_to_datetime(newest["end_time"]),
            newest["status"],
        )
    assert unknown_call_count() == sum(1 for c in calls if c["to"] == unknown)


@pytest.mark.postgres_only
def test_a_page_of_reports_refuses_a_value_too_long_for_its_column_and_stores_none_of_them(app):
    number = make_number()
    at = utcnow().replace(microsecond=0)
    fine = CallReport(new_call_sid(), "completed", number.e164, CALLER, "inbound", 30, at)

    with pytest.raises(DataError):  # as storing it alone would: never cut to fit
        record_calls([fine, replace(fine, call_sid=new_call_sid(), call_status="x" * 21)])
    db.session.rollback()

    assert totals(number) == {} and db.session.scalar(select(func.count()).select_from(CallEvent)) == 0
