"""The audit trail of every background job: who asked for what, and how it ended."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import JSON_DOCUMENT, Model, UTCDateTime, UuidPrimaryKey, enum_column, utcnow
from webapp.models.phone_number import PhoneNumber

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Mapper, Session

    from webapp.models.business import Business
    from webapp.models.user import User


class ActivityKind(enum.StrEnum):
    """What a job does."""

    PROVISION = "provision"
    WEBHOOK_RESYNC = "webhook_resync"
    WEBHOOK_CHECK = "webhook_check"
    RESYNC_DRIFTED = "resync_drifted"
    RELEASE = "release"
    ADOPT = "adopt"
    MOVE = "move"
    REPLACE = "replace"
    HEALTH_CHECK = "health_check"
    TEST_CALL = "test_call"
    HEALTH_SWEEP = "health_sweep"
    EMERGENCY_ADDRESS = "emergency_address"


NUMBER_CHANGES = (ActivityKind.PROVISION, ActivityKind.RELEASE, ActivityKind.MOVE, ActivityKind.REPLACE)
"""The jobs that give a business a number or take it away: at most one of them is in flight per business."""


class ActivityStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


IN_FLIGHT = (ActivityStatus.QUEUED, ActivityStatus.RUNNING)
"""Statuses of a job that has not ended."""


def _one_in_flight(name: str, kind: ActivityKind | tuple[ActivityKind, ...], column: str) -> Index:
    """A unique partial index: at most one queued or running job of `kind` (or of any of kinds) per
    `column`."""
    if isinstance(kind, tuple):
        which = "kind IN ({})".format(", ".join(f"'{k.value}'" for k in kind))
    else:
        which = f"kind = '{kind.value}'"
    in_flight = text(f"{which} AND status IN ('queued', 'running')")
    return Index(name, column, unique=True, postgresql_where=in_flight, sqlite_where=in_flight)


class Activity(UuidPrimaryKey, Model):
    """One background job's record: kind, status, target, requester, attempts, progress, outcome."""

    __tablename__ = "activities"
    __table_args__ = (
        _one_in_flight("uq_activities_provision_in_flight", ActivityKind.PROVISION, "business_id"),
        _one_in_flight("uq_activities_resync_in_flight", ActivityKind.WEBHOOK_RESYNC, "phone_number_id"),
        # A release, move or replace and a provision of the same business never interleave: the business
        # would end with two numbers, or with a number Twilio bills and no row. A constraint on the
        # Activities (not a lock in Redis) is atomic with recording the job, outlives a dead worker (a lost
        # job is failed by `live_activity`) and covers one release in flight per number as well.
        _one_in_flight("uq_activities_number_change_in_flight", NUMBER_CHANGES, "business_id"),
        _one_in_flight(
            "uq_activities_emergency_in_flight", ActivityKind.EMERGENCY_ADDRESS, "phone_number_id"
        ),
    )

    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"), index=True)
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus, "activity_status"), default=ActivityStatus.QUEUED, index=True
    )
    business_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True
    )
    phone_number_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="SET NULL"), index=True
    )
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    e164: Mapped[str | None] = mapped_column(String(16), index=True)
    """The number the job concerns (or bought), kept after its row goes: filled in from `phone_number_id`
    at every save (`name_the_number`). Lists show and search it without a join."""
    new_e164: Mapped[str | None] = mapped_column(String(16), index=True)
    """The number a replacement bought in place of `e164`."""
    rq_job_id: Mapped[str | None] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress_done: Mapped[int | None] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOCUMENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    business: Mapped[Business | None] = relationship()
    phone_number: Mapped[PhoneNumber | None] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def is_in_flight(self) -> bool:
        """Whether the job is queued or running."""
        return self.status in IN_FLIGHT

    @property
    def duration_seconds(self) -> float | None:
        """How long the job ran, once it has started and ended."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def numbers(self) -> tuple[str, ...]:
        """The numbers the job names (E.164): its number, and the one a replacement bought."""
        return tuple(e164 for e164 in (self.e164, self.new_e164) if e164)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.kind} {self.status}>"


def name_numbers(session: Session, activities: Sequence[Activity]) -> None:
    """Record the E.164 of new Activities' numbers with one query, as `name_the_number` does for each row as
    it is saved: a row whose `e164` is a subquery is inserted by a statement of its own, while rows with
    plain values are inserted many to a statement."""
    wanted = {a.phone_number_id for a in activities if a.e164 is None and a.phone_number_id is not None}
    if not wanted:
        return
    found = dict(
        session.execute(select(PhoneNumber.id, PhoneNumber.e164).where(PhoneNumber.id.in_(wanted))).all()
    )
    for activity in activities:
        if activity.e164 is None and activity.phone_number_id in found:
            activity.e164 = found[activity.phone_number_id]


@event.listens_for(Activity, "before_insert")
@event.listens_for(Activity, "before_update")
def name_the_number(mapper: Mapper[Activity], connection: Connection, activity: Activity) -> None:
    """Record the E.164 of the Activity's number when it first has one, on every path that saves it."""
    if activity.e164 is None and activity.phone_number_id is not None:
        activity.e164 = (
            select(PhoneNumber.e164).where(PhoneNumber.id == activity.phone_number_id).scalar_subquery()
        )
