"""Recording one status callback, as the receiver does (web process): on PostgreSQL in one statement, a
round trip without a transaction around it; elsewhere as `record_calls`.

The statement keeps `record_calls`' rules, built from the same definitions: the event is inserted unless its
(CallSid, CallStatus) is stored (`ON CONFLICT DO NOTHING`, so concurrent repeats count once); only when it
was inserted, for one of our numbers, does it add an ending status not stored before to the day's totals
(`call_day.add_to_day`) and a long call to the kept three (`long_call.long_calls_with`), and move the last
call forward when it is newer (`call_event.last_call_change`). The number's row is updated once, in one
UPDATE for both, as PostgreSQL updates a row at most once in a statement; a concurrent update of that row is
waited for and the rules are applied to its new values.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, exists, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.sql.selectable import CTE

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.call_day import CallDay, add_to_day, day_totals, is_long_call
from webapp.models.call_event import (
    ENDED_STATUSES,
    CallEvent,
    CallReport,
    Recorded,
    endings_of,
    last_call_change,
    last_call_params,
    record_calls,
)
from webapp.models.long_call import long_calls_with
from webapp.models.phone_number import PhoneNumber

EVENT_FIELDS = ("call_sid", "call_status", "to_number", "from_number", "direction", "duration_seconds")
"""The event's columns bound straight from the report."""


def record_call(report: CallReport) -> Recorded:
    """Store one callback as `record_calls` does, and commit."""
    if db.engine.dialect.name != "postgresql":
        return record_calls([report])
    ending = report.call_status in ENDED_STATUSES
    long = ending and is_long_call(report.completed, report.duration_seconds)
    params: dict[str, Any] = {
        **{name: getattr(report, name) for name in EVENT_FIELDS},
        "event_id": uuid.uuid4(),
        "occurred_at": report.occurred_at,
        "received_at": utcnow(),
        **last_call_params(report),
    }
    if ending:
        params |= day_totals(report.occurred_at, report.completed, report.duration_seconds)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        new, unknown = connection.execute(one_call_statement(ending, long), params).one()
    db.session.expire_all()  # as record_calls' commit does: rows the session holds are read again
    return Recorded(new, unknown)


@cache
def one_call_statement(ending: bool, long: bool) -> Select[int, int]:
    """The statement recording one callback (PostgreSQL); it returns how many events it stored (0 or 1)
    and how many of those were to a number we do not record. `ending`: the status ends a call; `long`:
    it ends a long call. Built once for each kind, so that SQLAlchemy and PostgreSQL reuse its plan."""
    events, numbers = CallEvent.__table__, PhoneNumber.__table__
    number_id = select(numbers.c.id).where(numbers.c.e164 == bindparam("to_number")).scalar_subquery()
    inserted = (
        postgresql.insert(events)
        .values(
            id=bindparam("event_id"),
            phone_number_id=number_id,
            occurred_at=bindparam("occurred_at", type_=UTCDateTime),
            received_at=bindparam("received_at", type_=UTCDateTime),
            **{name: bindparam(name, type_=events.c[name].type) for name in EVENT_FIELDS},
        )
        .on_conflict_do_nothing()
        .returning(events.c.phone_number_id)
        .cte("inserted")
    )
    newer, last_call = last_call_change()
    ctes = []
    if ending:
        first_end = ~exists(endings_of(CallEvent.call_sid == bindparam("call_sid")))
        ended = select(inserted.c.phone_number_id).where(inserted.c.phone_number_id.is_not(None), first_end)
        ended_cte = ended.cte("ended")
        ctes.append(add_to_day_statement(ended_cte).cte("day"))
    if long:
        # One UPDATE for both rules (PostgreSQL changes a row once in a statement), on the row as locked: the
        # long call when it counts (else NULL, which merges nothing), the last call when it is newer.
        added = select(bindparam("at", type_=UTCDateTime)).select_from(ended_cte).scalar_subquery()
        locked = (
            select(numbers.c.id, newer.label("newer"), added.label("added"))
            .where(numbers.c.id == select(inserted.c.phone_number_id).scalar_subquery())
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE, the lock its UPDATE takes
            .cte("locked")
        )
        values = {
            name: case((locked.c.newer, value), else_=numbers.c[name]) for name, value in last_call.items()
        }
        number = (
            update(numbers)
            .where(numbers.c.id == locked.c.id)
            .values(**long_calls_with(locked.c.added), **values)
        )
    else:
        number = update(numbers).where(numbers.c.id == inserted.c.phone_number_id, newer).values(**last_call)
    ctes.append(number.values(updated_at=numbers.c.updated_at).cte("number"))  # a call changes no record
    stored = func.count()
    return (
        select(stored, stored - func.count(inserted.c.phone_number_id)).select_from(inserted).add_cte(*ctes)
    )


def add_to_day_statement(ended: CTE) -> Insert:
    """The upsert adding the call to its number's day when `ended` holds the number (`day_totals`' binds)."""
    days = CallDay.__table__
    totals = ["day", "calls", "completed", "long_calls", "talk_seconds"]
    added = select(ended.c.phone_number_id, *(bindparam(name, type_=days.c[name].type) for name in totals))
    return add_to_day(postgresql.insert(days).from_select(["phone_number_id", *totals], added))
