"""The client's emergency-address operations: Twilio Addresses, and assigning one to a number.

A number's emergency address is an Address with `EmergencyEnabled=true` set on the number by an update
(Twilio ignores `EmergencyAddressSid` on a purchase); Twilio then registers it, which takes a while: read
`emergency_address_status` until it is `registered` or `registration-failure`. Emptying it unregisters it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from webapp.twilio_client.errors import ApiError, TwilioUnavailable
from webapp.twilio_client.models import TwilioAddress, TwilioNumber
from webapp.twilio_client.validation import check_friendly_name, check_sid

if TYPE_CHECKING:
    from twilio.rest import Client

logger = logging.getLogger(__name__)

T = TypeVar("T")

EMERGENCY_FRIENDLY_NAME_MAX = 32
"""Twilio's limit on an emergency Address's FriendlyName."""


def check_address_part(value: str, what: str) -> str:
    """Return `value` if it is a non-empty part of an address."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"The address's {what} must not be empty.")
    return value


class EmergencyAddresses:
    """Mixed into `TwilioClient`: the Address and emergency-address operations."""

    if TYPE_CHECKING:
        _twilio: Client

        def _call(
            self,
            operation: str,
            request: Callable[[], T],
            *,
            idempotent: bool = True,
            reconcile: Callable[[], T | None] | None = None,
        ) -> T: ...

    def create_emergency_address(
        self, friendly_name: str, customer_name: str, street: str, city: str, region: str, postal_code: str
    ) -> TwilioAddress:
        """Create a US Address with emergency calling enabled, letting Twilio correct it; return it as Twilio
        stored it (compare it with what was sent to see the correction).

        Not sent twice after an ambiguous failure: the Address is looked up by its FriendlyName instead.

        Raises:
            ApiError: Twilio refused the address (21628: it cannot be validated, 21629: check the suggested
                address), or failed.
        """
        check_friendly_name(friendly_name)
        if len(friendly_name) > EMERGENCY_FRIENDLY_NAME_MAX:
            raise ValueError(
                f"An emergency address's friendly name is at most {EMERGENCY_FRIENDLY_NAME_MAX} characters."
            )
        for value, what in (
            (customer_name, "name"),
            (street, "street"),
            (city, "city"),
            (region, "state"),
            (postal_code, "postal code"),
        ):
            check_address_part(value, what)
        params: dict[str, Any] = {
            "customer_name": customer_name,
            "street": street,
            "city": city,
            "region": region,
            "postal_code": postal_code,
            "iso_country": "US",
            "friendly_name": friendly_name,
            "emergency_enabled": True,
            "auto_correct_address": True,
        }
        address = self._call(
            "create_address",
            lambda: TwilioAddress.from_resource(self._twilio.addresses.create(**params)),
            idempotent=False,
            reconcile=lambda: self._found_address(friendly_name),
        )
        logger.info("Created emergency address %s (%r)", address.sid, friendly_name)
        return address

    def _found_address(self, friendly_name: str) -> TwilioAddress | None:
        try:
            found = self.find_addresses(friendly_name)
        except ApiError as error:
            raise TwilioUnavailable(
                f"The address {friendly_name} may have been created, and Twilio could not be asked.",
                ambiguous=True,
            ) from error
        return found[0] if found else None

    def find_addresses(self, friendly_name: str) -> list[TwilioAddress]:
        """Return the account's emergency Addresses with this friendly name (all pages)."""
        check_friendly_name(friendly_name)
        return self._call(
            "find_addresses",
            lambda: [
                TwilioAddress.from_resource(a)
                for a in self._twilio.addresses.list(friendly_name=friendly_name, emergency_enabled=True)
            ],
        )

    def assign_emergency_address(self, number_sid: str, address_sid: str) -> TwilioNumber:
        """Set the number's emergency address; return the number (`pending-registration` at first)."""
        check_sid(number_sid, "PN", "phone number")
        check_sid(address_sid, "AD", "address")
        return self._set_emergency_address(number_sid, address_sid)

    def remove_emergency_address(self, number_sid: str) -> TwilioNumber:
        """Take the number's emergency address off (an empty `EmergencyAddressSid`, as Twilio documents);
        return the number (`pending-unregistration` at first)."""
        check_sid(number_sid, "PN", "phone number")
        return self._set_emergency_address(number_sid, "")

    def _set_emergency_address(self, number_sid: str, address_sid: str) -> TwilioNumber:
        number = self._call(
            "set_emergency_address",
            lambda: TwilioNumber.from_resource(
                self._twilio.incoming_phone_numbers(number_sid).update(emergency_address_sid=address_sid)
            ),
        )
        logger.info(
            "Emergency address of %s set to %r: %s", number_sid, address_sid, number.emergency_address_status
        )
        return number
