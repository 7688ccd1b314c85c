"""The access audit trail: sign-ins, refused sign-ins, sign-outs, and changes of a user's role or activation.

Each row says what happened, to which account (its e-mail is copied, so the row outlives the user), who did
it and from which address. Rows are written by `webapp.auth.access_log`; nothing edits or deletes them from
the console. Refused sign-ins are bounded by the sign-in throttle; requests the throttle itself refuses are
logged, not stored, so a flood of them cannot fill the table.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Model, UTCDateTime, UuidPrimaryKey, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.user import User

EMAIL_MAX = 254
"""The longest e-mail kept, as on users."""

ADDRESS_MAX = 45
"""The longest client address kept: an IPv6 address in text."""

DETAIL_MAX = 200
"""The longest detail kept, e.g. `Viewer → Admin`."""


class AccessEventKind(enum.StrEnum):
    """What happened to an account."""

    SIGNED_IN = "signed_in"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGNED_OUT = "signed_out"
    ROLE_CHANGED = "role_changed"
    ACTIVATED = "activated"
    DEACTIVATED = "deactivated"


class AccessEvent(UuidPrimaryKey, Model):
    """One access event: what, to which account, by whom, from where, when."""

    __tablename__ = "access_events"

    kind: Mapped[AccessEventKind] = mapped_column(
        enum_column(AccessEventKind, "access_event_kind"), index=True
    )
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_MAX))
    detail: Mapped[str | None] = mapped_column(String(DETAIL_MAX))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    def __repr__(self) -> str:
        return f"<AccessEvent {self.kind} {self.email} at {self.happened_at}>"
