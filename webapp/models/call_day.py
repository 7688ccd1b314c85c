"""Each number's calls per day (UTC): how many ended, how many completed, how many completed calls were long
enough to count as activity for Twilio's reclaim rule, and their talk time. Kept `KEEP_DAYS` (13 months),
so the table stays bounded while the raw callbacks (`call_events`) are kept only a month."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Date, ForeignKey, Integer, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, with_expression
from sqlalchemy.sql.base import ExecutableOption
from sqlalchemy.sql.elements import ColumnElement

from webapp.extensions import db
from webapp.models.base import Model, utcnow
from webapp.models.bulk import insert_rows
from webapp.models.phone_number import PhoneNumber

KEEP_DAYS = 396
"""Thirteen months of daily totals (13 months of 30.4 days), pruned with the callbacks."""

LONG_CALL_SECONDS = 12
"""A completed call at least this long counts as activity in Twilio's reclaim rule of thumb."""

RECENT_DAYS = 30
"""The window of "Calls (30 d)", the charts and `numbers usage`: today and the 29 days before."""


class CallDay(Model):
    """One number's calls on one day (UTC), each call counted once, on the day it ended."""

    __tablename__ = "call_days"

    phone_number_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    long_calls: Mapped[int] = mapped_column(Integer, default=0)
    talk_seconds: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<CallDay {self.phone_number_id} {self.day} {self.calls}>"


@dataclass(frozen=True)
class EndedCall:
    """A call newly recorded as ended, to add to its number's day."""

    phone_number_id: uuid.UUID
    ended_at: datetime
    completed: bool
    duration_seconds: int | None

    @property
    def is_long(self) -> bool:
        """Whether the call counts as activity in Twilio's reclaim rule (`is_long_call`)."""
        return is_long_call(self.completed, self.duration_seconds)

    def day_totals(self) -> dict[str, Any]:
        """The row `add_to_day` upserts for the call."""
        return {
            "phone_number_id": self.phone_number_id,
            **day_totals(self.ended_at, self.completed, self.duration_seconds),
        }


def is_long_call(completed: bool, duration_seconds: int | None) -> bool:
    """Whether an ended call counts as activity in Twilio's reclaim rule: completed, `LONG_CALL_SECONDS` or
    more."""
    return completed and (duration_seconds or 0) >= LONG_CALL_SECONDS


def day_totals(ended_at: datetime, completed: bool, duration_seconds: int | None) -> dict[str, Any]:
    """What an ended call adds to its number's totals, and on which day (UTC): the day it ended."""
    return {
        "day": ended_at.astimezone(UTC).date(),
        "calls": 1,
        "completed": int(completed),
        "long_calls": int(is_long_call(completed, duration_seconds)),
        "talk_seconds": (duration_seconds or 0) if completed else 0,
    }


ADDED = ("calls", "completed", "long_calls", "talk_seconds")
"""The day's totals a call adds to."""


DayUpsert = TypeVar("DayUpsert", bound=postgresql.Insert | sqlite.Insert)


def add_to_day(statement: DayUpsert) -> DayUpsert:
    """`statement`, an INSERT of `CallDay` rows, made to add each row's totals to its (number, day)."""
    added = statement.excluded
    upsert = statement.on_conflict_do_update(
        index_elements=[CallDay.phone_number_id, CallDay.day],
        set_={name: getattr(CallDay, name) + added[name] for name in ADDED},
    )
    return cast("DayUpsert", upsert)


def add_ended_calls(ended: Iterable[EndedCall]) -> None:
    """Add each call to its number's day totals, in one upsert per (number, day); the caller commits."""
    totals: dict[tuple[uuid.UUID, date], dict[str, Any]] = {}
    for call in ended:
        row = call.day_totals()
        kept = totals.setdefault((row["phone_number_id"], row["day"]), row)
        if kept is not row:
            for name in ADDED:
                kept[name] += row[name]
    if not totals:
        return
    statement, params = insert_rows(CallDay.__table__, list(totals.values()))
    db.session.execute(add_to_day(statement), params)


def window_start(days: int = RECENT_DAYS) -> date:
    """The first day (UTC) of the last `days` days, today included."""
    return utcnow().date() - timedelta(days=days - 1)


def recent_calls(number_id: Any) -> ColumnElement[int]:
    """The calls to `number_id` (a value or a column) over the last `RECENT_DAYS` days, as a scalar
    subquery; the window's start is computed when the statement runs."""
    since = bindparam("recent_since", callable_=window_start, type_=Date, unique=True)
    return (
        select(func.coalesce(func.sum(CallDay.calls), 0))
        .where(CallDay.phone_number_id == number_id, CallDay.day >= since)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class CallUsage:
    """A number's calls over a period: how many ended, how many completed, and their talk time."""

    calls: int
    completed: int
    talk_seconds: int


def call_usage(number_id: uuid.UUID, days: int = RECENT_DAYS) -> CallUsage:
    """Return the number's calls over the last `days` days (each call once, whatever its callbacks)."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(CallDay.calls), 0),
            func.coalesce(func.sum(CallDay.completed), 0),
            func.coalesce(func.sum(CallDay.talk_seconds), 0),
        ).where(CallDay.phone_number_id == number_id, CallDay.day >= window_start(days))
    ).one()
    return CallUsage(calls=int(row[0]), completed=int(row[1]), talk_seconds=int(row[2]))


def with_recent_calls() -> ExecutableOption:
    """The loader option that fills `PhoneNumber.calls_30d`."""
    return with_expression(PhoneNumber.calls_30d, recent_calls(PhoneNumber.id))


def calls_per_day(number_id: uuid.UUID, days: int = RECENT_DAYS) -> list[CallDay]:
    """The number's totals for each of the last `days` days, oldest first, a zero row for a day without."""
    since = window_start(days)
    found = {
        row.day: row
        for row in db.session.scalars(
            select(CallDay).where(CallDay.phone_number_id == number_id, CallDay.day >= since)
        )
    }
    return [
        found.get(day)
        or CallDay(phone_number_id=number_id, day=day, calls=0, completed=0, long_calls=0, talk_seconds=0)
        for day in (since + timedelta(days=n) for n in range(days))
    ]


def prune_call_days(before: date) -> int:
    """Delete the daily totals of days before `before`; return how many (the caller commits)."""
    result = cast("CursorResult[Any]", db.session.execute(delete(CallDay).where(CallDay.day < before)))
    return result.rowcount
