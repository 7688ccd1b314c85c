"""The calls Twilio reports at a number's status callback: one row per (call, status), and each number's
last call, kept so that a repeated callback counts once and a late one never overwrites a newer state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Update,
    case,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import Model, UTCDateTime, UuidPrimaryKey, utcnow
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


def record_call(report: CallReport) -> bool:
    """Store `report` and move its number's last call forward if it is newer; commit.

    Returns False, changing nothing, when this call's status was already recorded (Twilio repeats
    callbacks). Safe against concurrent callbacks: the unique constraint decides which one inserts.
    """
    number_id = db.session.scalar(select(PhoneNumber.id).where(PhoneNumber.e164 == report.to_number))
    values = {
        "id": uuid.uuid4(),
        "call_sid": report.call_sid,
        "call_status": report.call_status,
        "phone_number_id": number_id,
        "to_number": report.to_number,
        "from_number": report.from_number,
        "direction": report.direction,
        "duration_seconds": report.duration_seconds,
        "occurred_at": report.occurred_at,
        "received_at": utcnow(),
    }
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    inserted = db.session.execute(
        dialect.insert(CallEvent).values(values).on_conflict_do_nothing().returning(CallEvent.id)
    ).scalar()
    if inserted is not None and number_id is not None:
        db.session.execute(last_call_update(number_id, report))
    db.session.commit()
    return inserted is not None


def last_call_update(number_id: uuid.UUID, report: CallReport) -> Update:
    """Return the UPDATE that makes `report` the number's last call unless it already has a newer one:
    a later time, or the same time and a later status. Timestamps have whole seconds: of two calls ended in
    the same second, the one reported last wins, as nothing else tells them apart."""
    rank = CALL_STATUS_RANK[report.call_status]
    stored_rank = case(CALL_STATUS_RANK, value=PhoneNumber.last_call_status, else_=-1)
    return (
        update(PhoneNumber)
        .where(PhoneNumber.id == number_id)
        .where(
            or_(
                PhoneNumber.last_call_at.is_(None),
                PhoneNumber.last_call_at < report.occurred_at,
                (PhoneNumber.last_call_at == report.occurred_at) & (stored_rank <= rank),
            )
        )
        .values(
            last_call_at=report.occurred_at,
            last_call_status=report.call_status,
            last_call_duration=report.duration_seconds,
            updated_at=PhoneNumber.updated_at,  # a call is not a change of the number's record
        )
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class CallUsage:
    """A number's calls over a period: how many, how many completed, and their talk time."""

    calls: int
    completed: int
    talk_seconds: int


def call_usage(number_id: uuid.UUID, since: datetime) -> CallUsage:
    """Return the number's calls reported since `since` (each call once, whatever its callbacks)."""
    completed = CallEvent.call_status == "completed"
    row = db.session.execute(
        select(
            db.func.count(db.distinct(CallEvent.call_sid)),
            db.func.count(db.distinct(case((completed, CallEvent.call_sid)))),
            db.func.coalesce(db.func.sum(case((completed, CallEvent.duration_seconds), else_=0)), 0),
        ).where(CallEvent.phone_number_id == number_id, CallEvent.occurred_at >= since)
    ).one()
    return CallUsage(calls=row[0], completed=row[1], talk_seconds=int(row[2]))


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
