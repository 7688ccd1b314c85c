"""Emergency addresses on numbers, and Twilio's registration of them, which takes a while.

Setting `EmergencyAddressSid` on a number (an update, or a Console user through the control API) makes its
`emergency_address_status` `pending-registration`; emptying it, `pending-unregistration`. The change is
kept in `emergency_changes` and settles `delay_seconds` later (`state.EmergencySettings`), when a request next
reads numbers: to `registered`, or `registration-failure` when the address names `Invalid` or the control
API says registrations fail (with a Monitor alert, error 21628, whose text is the reason); to
`unregistered` (the address leaves the number) or `unregistration-failure` likewise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from webapp.sandbox import errors
from webapp.sandbox.errors import TwilioError
from webapp.sandbox.monitor import new_alert
from webapp.sandbox.state import SandboxState, current_state
from webapp.sandbox.store import OwnedNumber, utc_now

REGISTERED = "registered"
UNREGISTERED = "unregistered"
HOLDING = ("registered", "pending-registration", "pending-unregistration", "unregistration-failure")
"""The statuses of a number that still has its emergency address, which Twilio will not release."""

FAILURE_ALERT_CODE = "21628"
"""The error code of the alert that tells why a registration failed (the address was not validated)."""

INVALID_STREET_WORD = "invalid"


def emergency_settings(number: OwnedNumber | None, form: Mapping[str, str]) -> dict[str, Any]:
    """Return the settings an `EmergencyAddressSid` in `form` asks of `number`: {} when it names none, or
    empties an address the number does not have.

    Raises:
        TwilioError: 21238 the SID names no emergency-enabled Address of the account.
    """
    if "EmergencyAddressSid" not in form:
        return {}
    sid = form["EmergencyAddressSid"].strip()
    if not sid:
        has_one = number is not None and number.settings.get("emergency_address_sid")
        return {"emergency_address_status": "pending-unregistration"} if has_one else {}
    address = current_state().store.get_record("addresses", sid)
    if address is None or not address["emergency_enabled"]:
        raise TwilioError(
            400, errors.ADDRESS_PARAMETER_INVALID, f"EmergencyAddressSid {sid} is not an emergency address."
        )
    return {"emergency_address_sid": sid, "emergency_address_status": "pending-registration"}


def schedule(number: OwnedNumber) -> None:
    """Record when and how the number's pending emergency change settles (nothing when none is pending)."""
    state = current_state()
    status = number.settings.get("emergency_address_status")
    settings = state.emergency
    if status == "pending-registration":
        address = state.store.get_record("addresses", number.settings["emergency_address_sid"]) or {}
        fails = settings.fail_registration or INVALID_STREET_WORD in str(address.get("street", "")).lower()
        outcome = "registration-failure" if fails else REGISTERED
    elif status == "pending-unregistration":
        outcome = "unregistration-failure" if settings.fail_unregistration else UNREGISTERED
    else:
        return
    settles_at = utc_now() + timedelta(seconds=settings.delay_seconds)
    change = {
        "number_sid": number.sid,
        "settles_at": settles_at.isoformat(),
        "to": outcome,
        "reason": settings.reason,
    }
    state.store.save_record("emergency_changes", number.sid, change)


def settle_due() -> None:
    """Settle every emergency change whose time has come (run before a request reads numbers)."""
    state = current_state()
    now = utc_now()
    for change in state.store.list_records("emergency_changes"):
        if datetime.fromisoformat(change["settles_at"]) <= now:
            settle(state, change)


def settle(state: SandboxState, change: dict[str, Any]) -> None:
    """Give the number its change's final status (an alert with the reason when it failed)."""
    outcome = change["to"]
    updates: dict[str, Any] = {"emergency_address_status": outcome}
    if outcome == UNREGISTERED:
        updates["emergency_address_sid"] = None
    state.store.update_number(change["number_sid"], None, updates)
    state.store.delete_record("emergency_changes", change["number_sid"])
    if outcome.endswith("failure"):
        alert = new_alert(
            state,
            error_code=FAILURE_ALERT_CODE,
            resource_sid=change["number_sid"],
            request_url="",
            request_method="POST",
            reason=change["reason"],
        )
        state.store.save_record("alerts", alert["sid"], alert)


def refuse_release(number: OwnedNumber) -> None:
    """Refuse to release a number whose emergency address is registered (or on its way), as Twilio does.

    Raises:
        TwilioError: the number still has its emergency address.
    """
    if number.settings.get("emergency_address_status") in HOLDING:
        raise TwilioError(
            400,
            errors.EMERGENCY_ADDRESS_IN_USE,
            f"Phone number {number.phone_number} has a registered emergency address: "
            "remove it before releasing the number.",
        )
