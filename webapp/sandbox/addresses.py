"""Twilio's Addresses under `/2010-04-01/Accounts/{AccountSid}/Addresses`, with its validation.

Magic streets, as Twilio's test inputs are magic numbers: a street naming `Nowhere` cannot be validated
(21628); one ending in an abbreviation (`St`, `Ave`, `Rd`, `Blvd`, `Dr`) is corrected to the full word
(`AutoCorrectAddress`, the default), or refused with the suggestion (21629) when `AutoCorrectAddress=false`;
one naming `Invalid` is accepted but fails emergency registration (`emergency.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox import errors, render
from webapp.sandbox.errors import TwilioError
from webapp.sandbox.numbers import parse_flag
from webapp.sandbox.paging import v2010_page
from webapp.sandbox.state import current_state
from webapp.sandbox.store import new_sid, utc_now

bp = Blueprint("addresses", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")

REQUIRED = ("CustomerName", "Street", "City", "Region", "PostalCode", "IsoCountry")
TEXT_FIELDS = {
    "CustomerName": "customer_name",
    "FriendlyName": "friendly_name",
    "Street": "street",
    "StreetSecondary": "street_secondary",
    "City": "city",
    "Region": "region",
    "PostalCode": "postal_code",
}
EMERGENCY_COUNTRIES = ("US", "CA", "GB")
"""Where Twilio registers emergency addresses."""

EMERGENCY_FRIENDLY_NAME_MAX = 32
UNVALIDATED_STREET = re.compile(r"\bnowhere\b", re.IGNORECASE)
CORRECTIONS = {"st": "Street", "ave": "Avenue", "rd": "Road", "blvd": "Boulevard", "dr": "Drive"}
ABBREVIATED = re.compile(r"\b(st|ave|rd|blvd|dr)\.?$", re.IGNORECASE)


def address_error(code: int, message: str) -> TwilioError:
    """Return Twilio's 400 for an address it refuses."""
    return TwilioError(400, code, message)


def corrected_street(street: str) -> str:
    """Return the street with a trailing abbreviation written out, as Twilio's correction does."""
    return ABBREVIATED.sub(lambda m: CORRECTIONS[m[1].lower()], street)


def validated(fields: dict[str, Any], auto_correct: bool) -> dict[str, Any]:
    """Return the address's fields as Twilio stores them, corrected when asked.

    Raises:
        TwilioError: 21238 a malformed part, 21628 an address that cannot be validated, 21629 a near match
            while `AutoCorrectAddress` is false.
    """
    country = fields["iso_country"]
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise address_error(
            errors.ADDRESS_PARAMETER_INVALID, f"IsoCountry must be a two-letter ISO code, got {country!r}."
        )
    if fields["emergency_enabled"] and country not in EMERGENCY_COUNTRIES:
        raise address_error(
            errors.ADDRESS_PARAMETER_INVALID,
            f"Emergency addresses are for US, CA or GB addresses, not {country}.",
        )
    if len(fields.get("friendly_name") or "") > EMERGENCY_FRIENDLY_NAME_MAX and fields["emergency_enabled"]:
        raise address_error(
            errors.ADDRESS_PARAMETER_INVALID,
            f"An emergency address's FriendlyName is at most {EMERGENCY_FRIENDLY_NAME_MAX} characters.",
        )
    if country == "US" and not re.fullmatch(r"\d{5}(-\d{4})?", fields["postal_code"]):
        raise address_error(
            errors.ADDRESS_NOT_VALIDATED, "The address you have provided cannot be validated."
        )
    if UNVALIDATED_STREET.search(fields["street"]):
        raise address_error(
            errors.ADDRESS_NOT_VALIDATED, "The address you have provided cannot be validated."
        )
    corrected = {**fields, "street": corrected_street(fields["street"]), "region": fields["region"].upper()}
    if corrected["street"] != fields["street"] and not auto_correct:
        suggestion = "{street}, {city}, {region} {postal_code}".format(**corrected)
        raise address_error(
            errors.ADDRESS_SUGGESTED,
            "The address you have provided cannot be validated. "
            f"A similar address has been found to be valid: {suggestion}",
        )
    return corrected


def read_fields(form: Mapping[str, str], current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the address's fields from a create (`current` None) or an update's form over `current`.

    Raises:
        TwilioError: 21238 a required parameter missing or empty, or a malformed flag.
    """
    fields = dict(current or {})
    for param in REQUIRED if current is None else ():
        if not form.get(param, "").strip():
            raise address_error(errors.ADDRESS_PARAMETER_INVALID, f"Required parameter {param} is missing.")
    for param, name in TEXT_FIELDS.items():
        if param in form:
            value = form[param].strip()
            if not value and param in REQUIRED:
                raise address_error(errors.ADDRESS_PARAMETER_INVALID, f"{param} must not be empty.")
            fields[name] = value or None
    if current is None:
        fields["iso_country"] = form["IsoCountry"].strip()
    if "EmergencyEnabled" in form or current is None:
        fields["emergency_enabled"] = parse_flag("EmergencyEnabled", form.get("EmergencyEnabled", "false"))
    return fields


def address_resource(sid: str, account_sid: str, fields: Mapping[str, Any], created: str) -> dict[str, Any]:
    """Return the Address resource as Twilio answers it."""
    return {
        "account_sid": account_sid,
        "city": fields["city"],
        "customer_name": fields["customer_name"],
        "date_created": created,
        "date_updated": render.rfc2822(utc_now()),
        "emergency_enabled": fields["emergency_enabled"],
        "friendly_name": fields.get("friendly_name"),
        "iso_country": fields["iso_country"],
        "postal_code": fields["postal_code"],
        "region": fields["region"],
        "sid": sid,
        "street": fields["street"],
        "street_secondary": fields.get("street_secondary"),
        "uri": f"{render.account_path(account_sid)}/Addresses/{sid}.json",
        "validated": fields["iso_country"] == "US",
        "verified": False,
    }


def stored_address(sid: str) -> dict[str, Any]:
    """Return the Address with this SID.

    Raises:
        TwilioError: 404 when the account has none.
    """
    address = current_state().store.get_record("addresses", sid)
    if address is None:
        raise TwilioError(404, errors.NOT_FOUND, f"The requested resource Address {sid} was not found")
    return address


def auto_correct(form: Mapping[str, str]) -> bool:
    """Whether the request lets Twilio correct the address (`AutoCorrectAddress`, default true)."""
    return parse_flag("AutoCorrectAddress", form.get("AutoCorrectAddress", "true"))


@bp.post("/Addresses.json")
def create_address(account_sid: str) -> tuple[Response, int]:
    """Create an Address, validated (and corrected) as Twilio does."""
    fields = validated(read_fields(request.form), auto_correct(request.form))
    sid = new_sid("AD")
    address = address_resource(sid, account_sid, fields, render.rfc2822(utc_now()))
    current_state().store.save_record("addresses", sid, address)
    return jsonify(address), 201


@bp.get("/Addresses.json")
def list_addresses(account_sid: str) -> Response:
    """List Addresses, filtered by `CustomerName`, `FriendlyName`, `EmergencyEnabled`, `IsoCountry`."""
    args = request.args
    wanted = {
        "customer_name": args.get("CustomerName"),
        "friendly_name": args.get("FriendlyName"),
        "iso_country": args.get("IsoCountry"),
    }
    emergency = (
        parse_flag("EmergencyEnabled", args["EmergencyEnabled"]) if "EmergencyEnabled" in args else None
    )
    records = [
        address
        for address in reversed(current_state().store.list_records("addresses"))
        if all(value is None or address[key] == value for key, value in wanted.items())
        and (emergency is None or address["emergency_enabled"] == emergency)
    ]
    filters = {
        k: args[k] for k in ("CustomerName", "FriendlyName", "EmergencyEnabled", "IsoCountry") if k in args
    }
    return jsonify(v2010_page("addresses", records, filters))


@bp.get("/Addresses/<sid>.json")
def fetch_address(account_sid: str, sid: str) -> Response:
    """Return one Address."""
    return jsonify(stored_address(sid))


@bp.post("/Addresses/<sid>.json")
def update_address(account_sid: str, sid: str) -> Response:
    """Change an Address's parts, validated again."""
    current = stored_address(sid)
    fields = validated(read_fields(request.form, current), auto_correct(request.form))
    address = address_resource(sid, account_sid, fields, current["date_created"])
    current_state().store.save_record("addresses", sid, address)
    return jsonify(address)


@bp.delete("/Addresses/<sid>.json")
def delete_address(account_sid: str, sid: str) -> tuple[str, int]:
    """Delete an Address no number uses as its emergency address."""
    stored_address(sid)
    state = current_state()
    if any(n.settings.get("emergency_address_sid") == sid for n in state.store.list_numbers()):
        raise address_error(
            errors.EMERGENCY_ADDRESS_IN_USE,
            f"Address {sid} is a number's emergency address: unregister it first.",
        )
    state.store.delete_record("addresses", sid)
    return "", 204
