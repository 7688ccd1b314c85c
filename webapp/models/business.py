"""A business that Switchboard serves, and its status."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import CheckConstraint, ColumnElement, Index, String, false, func, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.models.base import (
    SYSTEM_KEPT,
    Model,
    Timestamps,
    UTCDateTime,
    UuidPrimaryKey,
    ValidationError,
    enum_column,
    utcnow,
)
from webapp.models.checks import AREA_CODE_GLOB, AREA_CODE_REGEX, format_check
from webapp.models.indexes import needs_trigrams, trigram_index
from webapp.models.phone_format import check_area_code
from webapp.models.service_address import CITY_MAX, STREET_MAX, ServiceAddress

if TYPE_CHECKING:
    from webapp.models.phone_number import PhoneNumber

NAME_MAX_LENGTH = 200

VOICE_URL_MAX_LENGTH = 500
"""The longest voice URL a business may have (a number's URL columns hold as much)."""


class BusinessStatus(enum.StrEnum):
    """Where a business stands with us; only `active` businesses pay and may get a number."""

    TRIAL = "trial"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class NumberRefusal:
    """Why a business may not get a number, in the two forms its readers need."""

    phrase: str
    """Follows "this business" or a count: `is trial, not active` (the console's buttons and summaries)."""
    sentence: str
    """Names the business and says what to do (a job's error, the CLI's refusal)."""


AWAITING_STATUS = BusinessStatus.ACTIVE.value
"""The status of the businesses awaiting a number (`BusinessStatus.ACTIVE`), spelled out for the partial
index's predicate, which queries must repeat literally for the planner to use it."""

CANCELLED_STATUS = BusinessStatus.CANCELLED.value
"""The status of the businesses whose numbers the dashboard counts as cost to release, spelled out likewise
for `ix_businesses_cancelled_with_number`."""


class Business(UuidPrimaryKey, Timestamps, Model):
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
        Index(  # the dashboard's count of numbers cancelled businesses still hold (cancelled_numbers.py)
            "ix_businesses_cancelled_with_number",
            "created_at",
            postgresql_where=text(f"status = '{CANCELLED_STATUS}' AND has_number = true"),
            sqlite_where=text(f"status = '{CANCELLED_STATUS}' AND has_number = 1"),
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
    voice_url: Mapped[str | None] = mapped_column(String(VOICE_URL_MAX_LENGTH))
    """Where this business's calls go, when not `TWILIO_VOICE_URL` (admins set it; https only)."""
    has_number: Mapped[bool] = mapped_column(default=False, server_default=false(), info=SYSTEM_KEPT)
    """Whether a number row names this business; kept by the database's triggers (number_flag.py)."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=SYSTEM_KEPT)
    """When the business was last cancelled; None unless it is cancelled now."""
    address_street: Mapped[str | None] = mapped_column(String(STREET_MAX))
    address_city: Mapped[str | None] = mapped_column(String(CITY_MAX))
    address_region: Mapped[str | None] = mapped_column(String(2))
    address_postal_code: Mapped[str | None] = mapped_column(String(10))
    """The service address (US), set whole through `set_service_address`; all four empty when unknown."""
    twilio_address_sid: Mapped[str | None] = mapped_column(String(34), info=SYSTEM_KEPT)
    """The Twilio Address (AD...) made from the service address for emergency calls; emptied when the
    address changes, so the next registration makes a new one."""

    phone_number: Mapped[PhoneNumber | None] = relationship(
        "PhoneNumber",
        back_populates="business",
        cascade="save-update, merge",
        passive_deletes="all",
    )
    """Never deleted with the business: the database refuses to delete a business that holds a number
    (release_guard.py), and the ORM leaves the row for it to judge."""

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
            status = BusinessStatus(value)
        except ValueError:
            allowed = ", ".join(member.value for member in BusinessStatus)
            raise ValidationError("status", f"Status must be one of {allowed}; got {value!r}.") from None
        if status != BusinessStatus.CANCELLED:
            self.cancelled_at = None
        elif self.status != BusinessStatus.CANCELLED or self.cancelled_at is None:
            self.cancelled_at = utcnow()
        return status

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
        return check_area_code(code, "preferred_area_code", "Preferred area code")

    @validates("voice_url")
    def _validate_voice_url(self, key: str, value: str | None) -> str | None:
        url = (value or "").strip()
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or parts.fragment:
            raise ValidationError(
                "voice_url", "Voice URL must be an https:// URL, like https://example.com/voice."
            )
        if len(url) > VOICE_URL_MAX_LENGTH:
            raise ValidationError(
                "voice_url", f"Voice URL must be at most {VOICE_URL_MAX_LENGTH} characters."
            )
        return url

    @property
    def service_address(self) -> ServiceAddress | None:
        """The business's service address, or None when it has none."""
        if self.address_street is None:
            return None
        return ServiceAddress(
            self.address_street,
            self.address_city or "",
            self.address_region or "",
            self.address_postal_code or "",
        )

    def set_service_address(self, address: ServiceAddress) -> None:
        """Record `address` (already checked); a new one forgets the Twilio Address made from the old."""
        if address != self.service_address:
            self.twilio_address_sid = None
        self.address_street, self.address_city = address.street, address.city
        self.address_region, self.address_postal_code = address.region, address.postal_code

    def emergency_refusal(self) -> str | None:
        """Why no emergency address can be registered for its number (it has no service address), or None."""
        if self.service_address is None:
            return f"{self.name} has no service address: set it on the business's page first."
        return None

    def number_refusal(self) -> NumberRefusal | None:
        """Why no number may be bought for it (it must be paying, `active`, and have none), or None."""
        if self.status != BusinessStatus.ACTIVE:
            return NumberRefusal(
                f"is {self.status.value}, not active",
                f"{self.name} is {self.status.value}: only active businesses get a number. "
                "Activate it first.",
            )
        if self.phone_number is not None:
            return NumberRefusal(
                "already has a number", f"{self.name} already has the number {self.phone_number.formatted}."
            )
        return None

    def deletion_refusal(self) -> str | None:
        """Why the business may not be deleted (it holds a number Twilio bills for), or None."""
        if self.phone_number is None:
            return None
        return (
            f"{self.name} still holds {self.phone_number.formatted}, which Twilio bills every month: "
            "release the number or move it to another business first, then delete the business."
        )

    def why_no_number(self) -> str | None:
        """The sentence saying why no number may be bought for it, or None when one may."""
        refusal = self.number_refusal()
        return refusal.sentence if refusal is not None else None

    def __repr__(self) -> str:
        return f"<Business {self.id} {self.name!r} {self.status}>"

    def __str__(self) -> str:
        return self.name


needs_trigrams(Business.__table__)


Index(  # the move page's picker: awaiting businesses by the start of their name, in name order (PostgreSQL
    # only, the one that holds a million; SQLAlchemy cannot reflect SQLite's expression indexes)
    "ix_businesses_awaiting_name",
    func.lower(Business.name).label("lower_name"),
    Business.id,
    postgresql_ops={"lower_name": "text_pattern_ops"},  # serves LIKE 'abc%' in any collation
    postgresql_where=text(f"status = '{AWAITING_STATUS}' AND has_number = false"),
).ddl_if(dialect="postgresql")


def name_starts_with(text_typed: str) -> ColumnElement[bool]:
    """The condition "the name starts with `text_typed`, case aside" (`lower(name) LIKE 'abc%'`, the typed
    `%`, `_` and `\\` taken literally), which `ix_businesses_awaiting_name` serves as one range."""
    escaped = text_typed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(Business.name).like(f"{escaped}%", escape="\\")


def name_order(dialect: str) -> ColumnElement[Any]:
    """The move picker's order: `lower(name)`; on PostgreSQL in the byte order of the index's
    text_pattern_ops (`USING ~<~`), so that the index yields the matches in order and the LIMIT stops it
    (in the database's collation every match would be sorted: 150 to 510 ms for a two-letter prefix among
    212,000 businesses awaiting a number, against 0.05 ms)."""
    if dialect == "postgresql":
        return literal_column("lower(businesses.name) USING ~<~")
    return func.lower(Business.name)


def awaiting_number() -> Any:
    """The condition of the provisioning backlog: active businesses without a number.

    Spelled as the partial index `ix_businesses_awaiting_number` is, literal status included, so that
    PostgreSQL reads only the awaiting businesses, even in a generic plan."""
    return (Business.status == literal_column(f"'{AWAITING_STATUS}'")) & (Business.has_number == false())
