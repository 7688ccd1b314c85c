"""A business that Switchboard serves, and its status."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import CheckConstraint, Enum, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models.base import Timestamps, UuidPrimaryKey, ValidationError
from webapp.models.checks import AREA_CODE_GLOB, AREA_CODE_REGEX, format_check
from webapp.models.indexes import needs_trigrams, trigram_index
from webapp.models.phone_format import AREA_CODE_PATTERN

if TYPE_CHECKING:
    from webapp.models.phone_number import PhoneNumber

NAME_MAX_LENGTH = 200


class BusinessStatus(enum.StrEnum):
    """Where a business stands with us; only `active` businesses pay and may get a number."""

    TRIAL = "trial"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


def enum_column(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """Return a portable (VARCHAR + CHECK) column type storing the enum's values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


AWAITING_STATUS = BusinessStatus.ACTIVE.value
"""The status of the businesses awaiting a number (`BusinessStatus.ACTIVE`), spelled out for the partial
index's predicate, which queries must repeat literally for the planner to use it."""


class Business(UuidPrimaryKey, Timestamps, db.Model):
    """A customer business; it may own one dedicated phone number."""

    __tablename__ = "businesses"
    __table_args__ = (
        CheckConstraint(f"length(name) BETWEEN 1 AND {NAME_MAX_LENGTH}", name="name_length"),
        *format_check("preferred_area_code", AREA_CODE_REGEX, AREA_CODE_GLOB, "preferred_area_code_format"),
        Index("ix_businesses_status_created_at", "status", "created_at"),
        Index(  # the backlog, oldest first, and its count (see number_flag.py)
            "ix_businesses_awaiting_number",
            "created_at",
            postgresql_where=text(f"status = '{AWAITING_STATUS}' AND has_number = false"),
            sqlite_where=text(f"status = '{AWAITING_STATUS}' AND has_number = 0"),
        ),
        trigram_index("businesses", "name"),  # the console's search: ILIKE '%text%'
        trigram_index("businesses", "contact_email"),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), index=True)
    status: Mapped[BusinessStatus] = mapped_column(
        enum_column(BusinessStatus, "business_status"), default=BusinessStatus.TRIAL
    )
    contact_email: Mapped[str | None] = mapped_column(String(254))
    preferred_area_code: Mapped[str | None] = mapped_column(String(3))
    has_number: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether a number row names this business; kept by the database's triggers (number_flag.py)."""

    phone_number: Mapped[PhoneNumber | None] = relationship(
        back_populates="business", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("name")
    def _validate_name(self, key: str, value: str | None) -> str:
        name = (value or "").strip()
        if not name:
            raise ValidationError("name", "Name is required.")
        if len(name) > NAME_MAX_LENGTH:
            raise ValidationError("name", f"Name must be at most {NAME_MAX_LENGTH} characters.")
        return name

    @validates("status")
    def _validate_status(self, key: str, value: str | BusinessStatus) -> BusinessStatus:
        try:
            return BusinessStatus(value)
        except ValueError:
            allowed = ", ".join(member.value for member in BusinessStatus)
            raise ValidationError("status", f"Status must be one of {allowed}; got {value!r}.") from None

    @validates("contact_email")
    def _validate_contact_email(self, key: str, value: str | None) -> str | None:
        email = (value or "").strip()
        if not email:
            return None
        try:
            return validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValidationError("contact_email", f"Contact e-mail is not valid: {error}") from None

    @validates("preferred_area_code")
    def _validate_preferred_area_code(self, key: str, value: str | None) -> str | None:
        code = (value or "").strip()
        if not code:
            return None
        if not AREA_CODE_PATTERN.match(code):
            raise ValidationError(
                "preferred_area_code",
                "Preferred area code must be 3 digits, the first from 2 to 9 (e.g. 415).",
            )
        return code

    @property
    def has_phone_number(self) -> bool:
        """Whether the business owns a number."""
        return self.phone_number is not None

    @property
    def is_eligible_for_number(self) -> bool:
        """Whether a number may be bought for it: paying (`active`) and without one."""
        return self.status == BusinessStatus.ACTIVE and not self.has_phone_number

    def __repr__(self) -> str:
        return f"<Business {self.id} {self.name!r} {self.status}>"

    def __str__(self) -> str:
        return self.name


needs_trigrams(Business.__table__)
