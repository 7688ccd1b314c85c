"""What the Twilio client returns: small dataclasses of our own, never the library's resource objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

CAPABILITIES = ("voice", "sms", "mms", "fax")
"""The capabilities we report, each a boolean."""


def read_capabilities(raw: Mapping[str, Any] | None) -> dict[str, bool]:
    """Return `{voice, sms, mms, fax}` as booleans, reading Twilio's keys in any case (`SMS` or `sms`)."""
    lowered = {str(key).lower(): value for key, value in (raw or {}).items()}
    return {name: bool(lowered.get(name)) for name in CAPABILITIES}


@dataclass(frozen=True)
class TwilioNumber:
    """A phone number the account owns (an IncomingPhoneNumber)."""

    sid: str
    phone_number: str
    friendly_name: str
    capabilities: dict[str, bool] = field(hash=False)
    voice_url: str | None
    voice_method: str | None
    status_callback: str | None
    status_callback_method: str | None
    voice_fallback_url: str | None = None
    voice_fallback_method: str | None = None
    sms_url: str | None = None
    sms_method: str | None = None
    voice_application_sid: str | None = None
    trunk_sid: str | None = None
    emergency_address_sid: str | None = None
    emergency_address_status: str | None = None
    """Twilio's `registered`, `unregistered`, `pending-registration`, `registration-failure`,
    `pending-unregistration` or `unregistration-failure`."""

    @classmethod
    def from_resource(cls, resource: Any) -> TwilioNumber:
        """Copy the fields we use from twilio-python's IncomingPhoneNumberInstance."""
        return cls(
            sid=resource.sid,
            phone_number=resource.phone_number,
            friendly_name=resource.friendly_name,
            capabilities=read_capabilities(resource.capabilities),
            voice_url=resource.voice_url or None,
            voice_method=resource.voice_method or None,
            status_callback=resource.status_callback or None,
            status_callback_method=resource.status_callback_method or None,
            voice_fallback_url=resource.voice_fallback_url or None,
            voice_fallback_method=resource.voice_fallback_method or None,
            sms_url=resource.sms_url or None,
            sms_method=resource.sms_method or None,
            voice_application_sid=resource.voice_application_sid or None,
            trunk_sid=resource.trunk_sid or None,
            emergency_address_sid=resource.emergency_address_sid or None,
            emergency_address_status=str(resource.emergency_address_status or "") or None,
        )


@dataclass(frozen=True)
class TwilioAddress:
    """An Address on the account, as Twilio stored it (corrected, when it corrected it)."""

    sid: str
    customer_name: str
    street: str
    city: str
    region: str
    postal_code: str
    iso_country: str
    emergency_enabled: bool

    @classmethod
    def from_resource(cls, resource: Any) -> TwilioAddress:
        """Copy the fields we use from twilio-python's AddressInstance."""
        return cls(
            sid=resource.sid,
            customer_name=resource.customer_name or "",
            street=resource.street or "",
            city=resource.city or "",
            region=resource.region or "",
            postal_code=resource.postal_code or "",
            iso_country=resource.iso_country or "",
            emergency_enabled=bool(resource.emergency_enabled),
        )

    def one_line(self) -> str:
        """The address as one line: `1 Main St, Springfield, IL 62701`."""
        return f"{self.street}, {self.city}, {self.region} {self.postal_code}"


@dataclass(frozen=True)
class NumberPage:
    """One page of the account's numbers, and the URL of the next page (None on the last)."""

    numbers: list[TwilioNumber]
    next_page_url: str | None


@dataclass(frozen=True)
class SearchArea:
    """Where a search for numbers to buy looks: within `distance` miles of `near_number`, or in `region`
    (a two-letter state)."""

    near_number: str | None = None
    distance: int | None = None
    region: str | None = None

    @property
    def where(self) -> str:
        """The area in words, for a sentence: `within 50 miles of +16285550100`, `in CA`."""
        if self.near_number:
            return f"within {self.distance or 25} miles of {self.near_number}"
        return f"in {self.region}"

    def filters(self) -> dict[str, Any]:
        """The area as `search_available_numbers` arguments."""
        given = {"near_number": self.near_number, "distance": self.distance, "in_region": self.region}
        return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True)
class AvailableNumber:
    """A number Twilio offers to buy.

    `address_requirements` is Twilio's `none`, `any`, `local` or `foreign`: anything but `none` means Twilio
    wants an Address on the account before it sells the number.
    """

    phone_number: str
    friendly_name: str
    locality: str | None
    region: str | None
    iso_country: str | None
    capabilities: dict[str, bool] = field(hash=False)
    postal_code: str | None = None
    address_requirements: str = "none"

    @classmethod
    def from_resource(cls, resource: Any) -> AvailableNumber:
        """Copy the fields we use from twilio-python's AvailablePhoneNumber instance."""
        return cls(
            phone_number=resource.phone_number,
            friendly_name=resource.friendly_name,
            locality=resource.locality or None,
            region=resource.region or None,
            iso_country=resource.iso_country or None,
            capabilities=read_capabilities(resource.capabilities),
            postal_code=resource.postal_code or None,
            address_requirements=resource.address_requirements or "none",
        )

    @property
    def needs_address(self) -> bool:
        """Whether Twilio requires an address before selling this number."""
        return self.address_requirements != "none"


@dataclass(frozen=True)
class NumberPrices:
    """What a phone number costs a month in one country, by Twilio's number type (`local`, `toll free`...)."""

    iso_country: str
    price_unit: str
    monthly: dict[str, Decimal] = field(hash=False)

    @classmethod
    def from_resource(cls, resource: Any) -> NumberPrices:
        """Copy the current prices from twilio-python's pricing CountryInstance."""
        return cls(
            iso_country=resource.iso_country,
            price_unit=(resource.price_unit or "USD").upper(),
            monthly={
                str(price["number_type"]).lower(): Decimal(str(price["current_price"]))
                for price in resource.phone_number_prices or []
            },
        )


@dataclass(frozen=True)
class Call:
    """An outbound or inbound call; `duration` in seconds once it has ended."""

    sid: str
    to: str
    from_: str
    status: str
    direction: str | None = None
    duration: int | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None

    ENDED = ("completed", "failed", "busy", "no-answer", "canceled")
    """The statuses of a call that is over."""

    @property
    def ended(self) -> bool:
        """Whether the call is over."""
        return self.status in self.ENDED

    @classmethod
    def from_resource(cls, resource: Any) -> Call:
        """Copy the fields we use from twilio-python's CallInstance (which names `from` `_from`)."""
        duration = str(resource.duration or "")
        return cls(
            sid=resource.sid,
            to=resource.to,
            from_=resource._from,
            status=str(resource.status),
            direction=resource.direction or None,
            duration=int(duration) if duration.isdigit() else None,
            start_time=resource.start_time or None,
            end_time=resource.end_time or None,
        )


@dataclass(frozen=True)
class CallPage:
    """One page of the account's calls, and the URL of the next page (None on the last)."""

    calls: list[Call]
    next_page_url: str | None


@dataclass(frozen=True)
class Message:
    """A text message."""

    sid: str
    to: str
    from_: str
    body: str
    status: str
    date_created: datetime | None = None

    @classmethod
    def from_resource(cls, resource: Any) -> Message:
        """Copy the fields we use from twilio-python's MessageInstance."""
        return cls(
            sid=resource.sid,
            to=resource.to,
            from_=resource.from_,
            body=resource.body,
            status=str(resource.status),
            date_created=resource.date_sent or resource.date_created or None,
        )
