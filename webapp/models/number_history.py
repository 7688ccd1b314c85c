"""What became of the numbers businesses no longer have: released to Twilio, or moved to another business.

A row is written in the same transaction that removes or moves the `PhoneNumber`, so the history is never
missing a number nor names one still owned. The business's name is copied: the history outlives it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Model, UTCDateTime, UuidPrimaryKey, utcnow
from webapp.models.business import enum_column
from webapp.models.phone_format import format_national
from webapp.models.release_guard import guards_releases

if TYPE_CHECKING:
    from webapp.models.activity import Activity
    from webapp.models.business import Business
    from webapp.models.phone_number import PhoneNumber
    from webapp.models.user import User


class NumberEvent(enum.StrEnum):
    """How a business stopped having a number."""

    RELEASED = "released"
    MOVED = "moved"


class NumberHistory(UuidPrimaryKey, Model):
    """One number a business had: E.164, SID, the business, when, by whom, why, and where it went."""

    __tablename__ = "number_history"

    event: Mapped[NumberEvent] = mapped_column(enum_column(NumberEvent, "number_event"), index=True)
    e164: Mapped[str] = mapped_column(String(16), index=True)
    twilio_sid: Mapped[str] = mapped_column(String(34), index=True)
    business_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True
    )
    business_name: Mapped[str] = mapped_column(String(200))
    moved_to_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True
    )
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))

    business: Mapped[Business | None] = relationship(foreign_keys=[business_id])
    moved_to: Mapped[Business | None] = relationship(foreign_keys=[moved_to_id])
    by: Mapped[User | None] = relationship()

    @classmethod
    def of(
        cls, number: PhoneNumber, event: NumberEvent, activity: Activity | None, **details: Any
    ) -> NumberHistory:
        """The row recording what `activity` (None: no job, as in tests) did to `number`, while the number is
        still its business's (`details`: `moved_to_id`, `reason`, `note`)."""
        return cls(
            event=event,
            e164=number.e164,
            twilio_sid=number.twilio_sid,
            business_id=number.business_id,
            business_name=number.business.name,
            by_id=activity.requested_by_id if activity is not None else None,
            activity_id=activity.id if activity is not None else None,
            **details,
        )

    @property
    def formatted(self) -> str:
        """The number as people write it: `(415) 555-1234`."""
        return format_national(self.e164)

    def __repr__(self) -> str:
        return f"<NumberHistory {self.e164} {self.event} from {self.business_id}>"


guards_releases(NumberHistory.__table__)
