"""The calls Twilio reports at a number's status callback: one row per (call, status), and each number's
last call, kept so that a repeated callback counts once and a late one never overwrites a newer state."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    UniqueConstraint,
    Update,
    Uuid,
    bindparam,
    case,
    delete,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from webapp.extensions import db
from webapp.models.base import Model, UTCDateTime, UuidPrimaryKey, utcnow
from webapp.models.bulk import insert_rows, one_of, rows_source
from webapp.models.call_day import EndedCall, add_ended_calls
from webapp.models.long_call import add_long_calls
from webapp.models.phone_number import PhoneNumber

CALL_STATUS_RANK = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "completed": 4,
    "busy": 4,
    "no-answer": 4,
    "failed": 4,
    "canceled": 4,
}
"""Twilio's call statuses, in the order a call goes through them; the last five end a call."""

ENDED_STATUSES = tuple(
    status for status, rank in CALL_STATUS_RANK.items() if rank == CALL_STATUS_RANK["completed"]
)
"""The statuses that end a call."""

FROM_MAX = 64
"""The longest caller kept: an E.164 number, `client:...` or `sip:...` trimmed by the receiver's check."""


@dataclass(frozen=True)
class CallReport:
    """One status callback, checked: which call, to and from whom, its status and when."""

    call_sid: str
    call_status: str
    to_number: str
    from_number: str
    direction: str | None
    duration_seconds: int | None
    occurred_at: datetime

    @property
    def completed(self) -> bool:
        """Whether the status says the call was answered and ended normally."""
        return self.call_status == "completed"


class CallEvent(UuidPrimaryKey, Model):
    """One status of one call, as Twilio reported it; `phone_number_id` is empty for a number we do not
    record (an unknown call)."""

    __tablename__ = "call_events"
    __table_args__ = (
        UniqueConstraint("call_sid", "call_status", name="uq_call_events_call_sid_status"),
        Index("ix_call_events_number_occurred", "phone_number_id", "occurred_at"),
    )

    call_sid: Mapped[str] = mapped_column(String(34))
    call_status: Mapped[str] = mapped_column(String(20))
    phone_number_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="SET NULL")
    )
    to_number: Mapped[str] = mapped_column(String(16))
    from_number: Mapped[str] = mapped_column(String(FROM_MAX))
    direction: Mapped[str | None] = mapped_column(String(20))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<CallEvent {self.call_sid} {self.call_status}>"


@dataclass(frozen=True)
class Recorded:
    """What `record_calls` stored: callbacks new to us, and how many of those were to unknown numbers."""

    new: int
    unknown: int


def record_calls(reports: Sequence[CallReport]) -> Recorded:
    """Store each (call, status) of `reports` once, add each newly ended call to its number's day totals
    and its long calls to the number's latest three (`long_call`), move each number's last call forward if
    a report is newer; commit.

    A callback Twilio repeats, or a call the backfill finds already reported, changes nothing: the unique
    constraint on (CallSid, CallStatus) decides which insert counts, so concurrent callbacks count once. A
    call is counted on the day it ended, by its first ending status stored.
    """
    unique = list({(r.call_sid, r.call_status): r for r in reports}.values())
    if not unique:
        return Recorded(0, 0)
    targets = {r.to_number for r in unique}
    found = db.session.execute(
        select(PhoneNumber.e164, PhoneNumber.id).where(one_of(PhoneNumber.e164, targets))
    )
    numbers = {e164: number_id for e164, number_id in found}
    received = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "call_sid": r.call_sid,
            "call_status": r.call_status,
            "phone_number_id": numbers.get(r.to_number),
            "to_number": r.to_number,
            "from_number": r.from_number,
            "direction": r.direction,
            "duration_seconds": r.duration_seconds,
            "occurred_at": r.occurred_at,
            "received_at": received,
        }
        for r in unique
    ]
    events = CallEvent.__table__
    statement, params = insert_rows(events, rows)
    returning = statement.on_conflict_do_nothing().returning(events.c.call_sid, events.c.call_status)
    inserted = db.session.execute(returning, params)
    stored = {(sid, status) for sid, status in inserted}
    new = [r for r in unique if (r.call_sid, r.call_status) in stored]
    ended = newly_ended(new, numbers, stored)
    add_ended_calls(ended)
    add_long_calls(ended)
    if latest := latest_per_number(new, numbers):
        rows = [{"number_id": number_id, **last_call_params(report)} for number_id, report in latest.items()]
        given, params = rows_source(LAST_CALL_COLUMNS, rows)
        db.session.execute(last_call_update(given), params)
    db.session.commit()
    return Recorded(len(new), sum(1 for r in new if r.to_number not in numbers))


def newly_ended(
    new: list[CallReport], numbers: dict[str, uuid.UUID], stored: set[tuple[str, str]]
) -> list[EndedCall]:
    """The calls of `new` that end a call of one of our numbers whose end was not stored before."""
    ending = [r for r in new if r.call_status in ENDED_STATUSES and r.to_number in numbers]
    if not ending:
        return []
    calls = one_of(CallEvent.call_sid, {r.call_sid for r in ending})
    ended_before = {
        sid for sid, status in db.session.execute(endings_of(calls)) if (sid, status) not in stored
    }
    counted: dict[str, EndedCall] = {}
    for r in ending:
        if r.call_sid not in ended_before and r.call_sid not in counted:
            counted[r.call_sid] = EndedCall(
                numbers[r.to_number], r.occurred_at, r.completed, r.duration_seconds
            )
    return list(counted.values())


def inline(status: str) -> ColumnElement[str]:
    """A status constant written into the SQL: it keeps the one-callback statement short enough for psycopg
    to cache its parsing (`MAX_CACHED_STATEMENT_LENGTH`), and needs no expanding IN."""
    return literal_column(f"'{status}'")


def endings_of(calls: ColumnElement[bool]) -> Select[str, str]:
    """The ending statuses stored for the calls `calls` picks (a condition on `CallEvent.call_sid`): a call
    counts on its first."""
    return select(CallEvent.call_sid, CallEvent.call_status).where(
        calls,
        CallEvent.call_status.in_([inline(status) for status in ENDED_STATUSES]),
    )


def latest_per_number(new: list[CallReport], numbers: dict[str, uuid.UUID]) -> dict[uuid.UUID, CallReport]:
    """The newest of `new` for each of our numbers, by time then status."""
    latest: dict[uuid.UUID, CallReport] = {}
    for r in new:
        number_id = numbers.get(r.to_number)
        if number_id is None:
            continue
        kept = latest.get(number_id)
        if kept is None or (r.occurred_at, CALL_STATUS_RANK[r.call_status]) >= (
            kept.occurred_at,
            CALL_STATUS_RANK[kept.call_status],
        ):
            latest[number_id] = r
    return latest


LAST_CALL_COLUMNS: dict[str, TypeEngine[Any]] = {
    "number_id": Uuid(),
    "at": UTCDateTime(),
    "rank": Integer(),
    "status": String(),
    "duration": Integer(),
}
"""What the last-call rule reads of each report to a number: the number and `last_call_params`."""

LAST_CALL_BINDS: dict[str, ColumnElement[Any]] = {
    name: bindparam(name, type_=type_) for name, type_ in LAST_CALL_COLUMNS.items() if name != "number_id"
}
"""`last_call_params` as bound parameters, for a statement recording one report."""


def last_call_change(
    given: Mapping[str, ColumnElement[Any]] = LAST_CALL_BINDS,
) -> tuple[ColumnElement[bool], dict[str, ColumnElement[Any]]]:
    """The rule that moves a number's last call forward, as SQL over its row reading the report's
    `LAST_CALL_COLUMNS` from `given` (bound parameters, or `bulk.rows_source`' columns): the condition that
    the reported call is newer (a later time, or the same time and a later status), and the values it sets.
    Timestamps have whole seconds: of two calls ended in the same second, the one reported last wins, as
    nothing else tells them apart."""
    numbers = PhoneNumber.__table__
    ranks: dict[Any, Any] = {
        inline(status): literal_column(str(rank)) for status, rank in CALL_STATUS_RANK.items()
    }
    stored_rank = case(ranks, value=numbers.c.last_call_status, else_=literal_column("-1"))
    newer = or_(
        numbers.c.last_call_at.is_(None),
        tuple_(numbers.c.last_call_at, stored_rank) <= tuple_(given["at"], given["rank"]),
    )
    values: dict[str, ColumnElement[Any]] = {
        "last_call_at": given["at"],
        "last_call_status": given["status"],
        "last_call_duration": given["duration"],
    }
    return newer, values


def last_call_update(given: Mapping[str, ColumnElement[Any]]) -> Update:
    """Return the UPDATE that makes each report given (`bulk.rows_source`) the last call of its number
    `number_id` unless it already has a newer one (`last_call_change`)."""
    numbers = PhoneNumber.__table__
    newer, values = last_call_change(given)
    return (
        update(numbers)
        .where(numbers.c.id == given["number_id"], newer)
        .values(**values, updated_at=numbers.c.updated_at)  # a call is not a change of the number's record
    )


def last_call_params(report: CallReport) -> dict[str, Any]:
    """The `LAST_CALL_COLUMNS` of `report`, but its number."""
    return {
        "at": report.occurred_at,
        "rank": CALL_STATUS_RANK[report.call_status],
        "status": report.call_status,
        "duration": report.duration_seconds,
    }


def prune_call_events(before: datetime) -> int:
    """Delete the callbacks received before `before` and commit; return how many. Each number's last call
    stays on its row."""
    result = cast(
        "CursorResult[Any]", db.session.execute(delete(CallEvent).where(CallEvent.received_at < before))
    )
    deleted = result.rowcount
    db.session.commit()
    return deleted


def unknown_call_count() -> int:
    """Return how many reported calls went to numbers we do not record."""
    return (
        db.session.scalar(
            select(db.func.count(db.distinct(CallEvent.call_sid))).where(CallEvent.phone_number_id.is_(None))
        )
        or 0
    )


def latest_calls(number_id: uuid.UUID, limit: int) -> list[CallEvent]:
    """The number's latest ended calls, newest first, as their status callbacks reported them."""
    query = (
        select(CallEvent)
        .where(CallEvent.phone_number_id == number_id, CallEvent.call_status.in_(ENDED_STATUSES))
        .order_by(CallEvent.occurred_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
