"""A Twilio phone number owned by a business, the state of its voice webhook, and its last call."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, Text, or_
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates

from webapp.models.base import (
    JSON_DOCUMENT,
    Model,
    Timestamps,
    UTCDateTime,
    UuidPrimaryKey,
    ValidationError,
    enum_column,
)
from webapp.models.checks import E164_GLOB, E164_REGEX, SID_GLOB, SID_REGEX, format_check
from webapp.models.number_flag import keeps_has_number
from webapp.models.phone_format import format_national, normalise_e164
from webapp.number_formats import NUMBER_SID_PATTERN

CAPABILITIES = ("voice", "sms", "mms", "fax")
"""The capability keys shown as badges, in display order."""

if TYPE_CHECKING:
    from webapp.models.business import Business


class WebhookStatus(enum.StrEnum):
    """Whether the number's voice webhook at Twilio matches our settings."""

    UNKNOWN = "unknown"
    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    ERROR = "error"


class EmergencyStatus(enum.StrEnum):
    """Twilio's `emergency_address_status` of a number: whether 911 calls from it carry its address."""

    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    PENDING_REGISTRATION = "pending-registration"
    REGISTRATION_FAILURE = "registration-failure"
    PENDING_UNREGISTRATION = "pending-unregistration"
    UNREGISTRATION_FAILURE = "unregistration-failure"


EMERGENCY_PENDING = (EmergencyStatus.PENDING_REGISTRATION, EmergencyStatus.PENDING_UNREGISTRATION)
"""The statuses Twilio passes through on its way to a final one."""


class PhoneNumber(UuidPrimaryKey, Timestamps, Model):
    """A business's dedicated Twilio number (E.164, Twilio SID, area code, capabilities)."""

    __tablename__ = "phone_numbers"
    __table_args__ = (
        *format_check("e164", E164_REGEX, E164_GLOB, "e164_format"),
        *format_check("twilio_sid", SID_REGEX, SID_GLOB, "twilio_sid_format"),
    )

    business_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), unique=True
    )
    e164: Mapped[str] = mapped_column(String(16), unique=True)
    twilio_sid: Mapped[str] = mapped_column(String(34), unique=True)
    country: Mapped[str] = mapped_column(String(2), default="US")
    area_code: Mapped[str] = mapped_column(String(3), index=True)
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON_DOCUMENT, default=dict)
    voice_url: Mapped[str | None] = mapped_column(String(500))
    status_callback_url: Mapped[str | None] = mapped_column(String(500))
    twilio_configuration: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOCUMENT)
    """Every managed field as Twilio last answered it (`webapp/twilio_client/configuration.py`)."""
    webhook_status: Mapped[WebhookStatus] = mapped_column(
        enum_column(WebhookStatus, "webhook_status"), default=WebhookStatus.UNKNOWN, index=True
    )
    webhook_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    webhook_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    webhook_error: Mapped[str | None] = mapped_column(Text)
    webhook_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    webhook_failure_code: Mapped[str | None] = mapped_column(String(10))
    webhook_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_call_status: Mapped[str | None] = mapped_column(String(20))
    last_call_duration: Mapped[int | None] = mapped_column(Integer)
    last_long_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """When the latest completed call of 12 s or more ended (`long_call.add_long_calls` keeps the three
    latest), so the idle rule reads the number's row instead of its daily totals."""
    second_long_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    third_long_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    emergency_address_sid: Mapped[str | None] = mapped_column(String(34))
    """The Twilio Address (AD...) assigned to the number for emergency calls, as we last set or saw it."""
    emergency_address_status: Mapped[str | None] = mapped_column(String(24), index=True)
    """Twilio's `emergency_address_status` (`EmergencyStatus`) as last seen; None: never registered here."""
    emergency_address_error: Mapped[str | None] = mapped_column(Text)
    """Why Twilio could not register or unregister the address, in its words, when it could not."""
    calls_30d: Mapped[int | None] = query_expression()
    """Calls over the last 30 days, loaded only where a query asks (`call_day.recent_calls`)."""
    long_calls: Mapped[int | None] = query_expression()
    """Completed calls of 12 s or more over `IDLE_DAYS`, loaded only where a query asks (`models.idle`)."""

    business: Mapped[Business] = relationship("Business", back_populates="phone_number")

    @validates("e164")
    def _validate_e164(self, key: str, value: str) -> str:
        e164 = normalise_e164(value)
        self.area_code = e164[2:5]  # the area code is always the e164's, never entered apart
        return e164

    @validates("twilio_sid")
    def _validate_twilio_sid(self, key: str, value: str | None) -> str:
        sid = (value or "").strip()
        if not NUMBER_SID_PATTERN.fullmatch(sid):
            raise ValidationError(
                "twilio_sid", "Twilio SID must be 'PN' followed by 32 hexadecimal characters."
            )
        return sid

    @validates("capabilities")
    def _validate_capabilities(self, key: str, value: dict[str, Any] | None) -> dict[str, Any]:
        capabilities = dict(value or {})
        for name in CAPABILITIES:
            if name in capabilities and not isinstance(capabilities[name], bool):
                raise ValidationError("capabilities", f"Capability {name!r} must be true or false.")
        return capabilities

    @validates("country")
    def _validate_country(self, key: str, value: str | None) -> str:
        country = (value or "US").strip().upper()
        if country != "US":
            raise ValidationError("country", "Switchboard handles US numbers only.")
        return country

    @property
    def formatted(self) -> str:
        """The number as support staff read it: `(415) 555-1234`."""
        return format_national(self.e164)

    def webhook_failing(self, since: datetime) -> bool:
        """Whether Twilio's alerts showed a failed webhook request to this number since `since`."""
        return self.webhook_failed_at is not None and self.webhook_failed_at >= since

    @classmethod
    def webhook_failing_since(cls, since: datetime) -> ColumnElement[bool]:
        """The condition of `webhook_failing` in SQL, for lists, filters and counts."""
        return cls.webhook_failed_at >= since

    @validates("emergency_address_status")
    def _validate_emergency_address_status(self, key: str, value: str | None) -> str | None:
        return None if value is None else EmergencyStatus(value).value

    @property
    def emergency_registered(self) -> bool:
        """Whether Twilio has registered an emergency address for the number."""
        return self.emergency_address_status == EmergencyStatus.REGISTERED

    @classmethod
    def without_emergency_address(cls) -> ColumnElement[bool]:
        """The condition of a number whose emergency address is not registered, in SQL."""
        return or_(
            cls.emergency_address_status.is_(None),
            cls.emergency_address_status != EmergencyStatus.REGISTERED.value,
        )

    @classmethod
    def voice_capable(cls) -> ColumnElement[bool]:
        """The condition of a number that takes calls (its `voice` capability), in SQL."""
        return cls.capabilities["voice"].as_boolean().is_(True)

    def __repr__(self) -> str:
        return f"<PhoneNumber {self.e164} {self.twilio_sid}>"

    def __str__(self) -> str:
        return self.formatted


keeps_has_number(PhoneNumber.__table__)
