"""A number's expected configuration at Twilio, defined once: what provisioning and re-sync set, and what
every check compares, field by field.

Twilio routes a call by more than the voice URL: a `VoiceApplicationSid` or `TrunkSid` makes every voice
URL ignored (setting one clears the other), `VoiceFallbackUrl` is what callers reach when the voice URL
fails, `SmsUrl` decides where texts go. Switchboard manages the voice URL, its method, the status
callback and its method, always; the voice fallback URL and the SMS URL (with their methods) only when
`TWILIO_VOICE_FALLBACK_URL` or `TWILIO_SMS_URL` is set; and it wants no application and no trunk.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.twilio_client.models import TwilioNumber
from webapp.twilio_client.validation import check_url

WEBHOOK_METHOD = "POST"
"""The method Twilio uses for every URL Switchboard sets."""

BUSINESS_ID_PLACEHOLDER = "{business_id}"
"""Written in `TWILIO_VOICE_URL`, replaced by each business's id."""


@dataclass(frozen=True)
class ManagedField:
    """One field of a number that Switchboard sets and checks."""

    name: str
    """The attribute of `TwilioNumber` and twilio-python's keyword for it."""
    label: str
    """How a sentence names it."""


FIELDS = {
    field.name: field
    for field in (
        ManagedField("voice_url", "voice URL"),
        ManagedField("voice_method", "voice method"),
        ManagedField("voice_fallback_url", "voice fallback URL"),
        ManagedField("voice_fallback_method", "voice fallback method"),
        ManagedField("status_callback", "status callback"),
        ManagedField("status_callback_method", "status callback method"),
        ManagedField("sms_url", "SMS URL"),
        ManagedField("sms_method", "SMS method"),
        ManagedField("voice_application_sid", "voice application"),
        ManagedField("trunk_sid", "SIP trunk"),
    )
}
"""Every field Switchboard may manage, in the order pages list them."""

ROUTING_FIELDS = ("voice_application_sid", "trunk_sid")
"""Fields that, when set, take calls away from the voice URL; we want both empty."""


@dataclass(frozen=True)
class Difference:
    """One managed field whose value at Twilio is not the expected one."""

    field: str
    actual: str | None
    expected: str | None

    @property
    def label(self) -> str:
        """The field as a sentence names it (`voice fallback URL`)."""
        return FIELDS[self.field].label

    def phrase(self) -> str:
        """Say what differs: `voice fallback URL is X, expected Y`, or where calls go instead."""
        if self.field == "trunk_sid" and self.actual:
            return f"calls go to SIP trunk {self.actual}; the voice URL is ignored"
        if self.field == "voice_application_sid" and self.actual:
            return f"calls go to application {self.actual}; the voice URL is ignored"
        return f"{self.label} is {self.actual or 'empty'}, expected {self.expected or 'empty'}"


@dataclass(frozen=True)
class NumberConfiguration:
    """What one number should have at Twilio. None for an optional URL: Switchboard leaves it alone."""

    voice_url: str
    status_callback: str | None = None
    voice_fallback_url: str | None = None
    sms_url: str | None = None

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], business_id: uuid.UUID | None = None, voice_url: str | None = None
    ) -> NumberConfiguration:
        """Return the configuration of a business's number: its own `voice_url` when it has one, else
        `TWILIO_VOICE_URL` with `{business_id}` replaced; the rest from `TWILIO_VOICE_FALLBACK_URL`,
        `TWILIO_STATUS_CALLBACK_URL` and `TWILIO_SMS_URL`."""
        template: str = config["TWILIO_VOICE_URL"]
        return cls(
            voice_url=voice_url or template.replace(BUSINESS_ID_PLACEHOLDER, str(business_id or "")),
            status_callback=config.get("TWILIO_STATUS_CALLBACK_URL") or None,
            voice_fallback_url=config.get("TWILIO_VOICE_FALLBACK_URL") or None,
            sms_url=config.get("TWILIO_SMS_URL") or None,
        )

    def expected_values(self) -> dict[str, str | None]:
        """Return each managed field's expected value (None: empty), leaving out the fields left alone."""
        values: dict[str, str | None] = {
            "voice_url": self.voice_url,
            "voice_method": WEBHOOK_METHOD,
            "status_callback": self.status_callback,
            "status_callback_method": WEBHOOK_METHOD,
            "voice_application_sid": None,
            "trunk_sid": None,
        }
        if self.voice_fallback_url:
            values |= {"voice_fallback_url": self.voice_fallback_url, "voice_fallback_method": WEBHOOK_METHOD}
        if self.sms_url:
            values |= {"sms_url": self.sms_url, "sms_method": WEBHOOK_METHOD}
        return {name: values[name] for name in FIELDS if name in values}

    def compare(self, number: TwilioNumber | Mapping[str, str | None]) -> list[dict[str, Any]]:
        """Return each managed field as the Health panel's table lists it: `field`, `label`, `expected`,
        `actual` (at Twilio) and whether it `differs`, in `FIELDS` order."""
        actual = managed_values(number)
        return [
            {
                "field": name,
                "label": FIELDS[name].label,
                "expected": wanted,
                "actual": actual[name],
                "differs": actual[name] != (wanted or None),
            }
            for name, wanted in self.expected_values().items()
        ]

    def differences(self, number: TwilioNumber | Mapping[str, str | None]) -> list[Difference]:
        """Return the managed fields that differ at Twilio, in `FIELDS` order; empty when in sync."""
        return [
            Difference(row["field"], row["actual"], row["expected"])
            for row in self.compare(number)
            if row["differs"]
        ]

    def request_params(self, *, clear_routing: bool = False) -> dict[str, str]:
        """Return twilio-python's keywords setting every managed field in one request.

        An empty field is left out (an empty `StatusCallback=` breaks Twilio's schema, `format: uri`);
        `clear_routing` sends the application and trunk empty, which Twilio takes as clearing them
        (its schema asks for 34 characters, so only when the number is known to have one).
        """
        for name in ("voice_url", "status_callback", "voice_fallback_url", "sms_url"):
            if value := getattr(self, name):
                check_url(value, FIELDS[name].label)
        params = {name: value for name, value in self.expected_values().items() if value}
        if clear_routing:
            params |= {name: "" for name in ROUTING_FIELDS}
        return params


def managed_values(number: TwilioNumber | Mapping[str, str | None]) -> dict[str, str | None]:
    """Return every field of `FIELDS` as Twilio has it on `number`, or as managed values kept from an
    earlier read say (None: empty)."""
    if isinstance(number, TwilioNumber):
        return {name: getattr(number, name) or None for name in FIELDS}
    return {name: number.get(name) or None for name in FIELDS}


def routes_elsewhere(number: TwilioNumber | Mapping[str, str | None]) -> bool:
    """Whether an application or a trunk takes the number's calls away from its voice URL."""
    return any(managed_values(number)[name] for name in ROUTING_FIELDS)


def foreign_differences(
    expected: NumberConfiguration, number: TwilioNumber | Mapping[str, str | None]
) -> list[Difference]:
    """Return what setting our configuration would change on a number whose calls go to someone else
    (a voice URL that is not ours, an application or a trunk); empty when it is ours to set."""
    voice_url = managed_values(number)["voice_url"]
    if routes_elsewhere(number) or (voice_url and voice_url != expected.voice_url):
        return expected.differences(number)
    return []


def changes(before: Mapping[str, str | None] | None, after: TwilioNumber) -> list[dict[str, str | None]]:
    """Return the managed fields `after` holds differently from `before` (as last read; None: never
    read), each as `{field, label, from, to}`, in `FIELDS` order."""
    now = managed_values(after)
    return [
        {"field": name, "label": FIELDS[name].label, "from": (before or {}).get(name), "to": now[name]}
        for name in FIELDS
        if ((before or {}).get(name) or None) != now[name]
    ]
