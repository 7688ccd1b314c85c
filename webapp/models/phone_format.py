"""Parsing and display of US phone numbers, with the `phonenumbers` package."""

from __future__ import annotations

import phonenumbers

from webapp.models.base import ValidationError
from webapp.number_formats import AREA_CODE_PATTERN, AREA_CODE_RULE, US_E164_PATTERN


def normalise_e164(text: str, field: str = "e164") -> str:
    """Return `text` (e.g. `(415) 555-1234`, `415.555.1234`, `+1 415 555 1234`) as `+14155551234`.

    Raises:
        ValidationError: the text is not a 10-digit US (+1) number.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError(field, "Phone number is required.")
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise ValidationError(field, f"{text!r} is not a phone number.") from None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if parsed.country_code != 1:
        raise ValidationError(field, f"{text!r} is not a US number: Switchboard handles +1 numbers only.")
    if not US_E164_PATTERN.fullmatch(e164):
        raise ValidationError(field, f"{text!r} must have 10 digits after +1, like +14155551234.")
    return e164


def try_normalise_e164(text: str) -> str | None:
    """Return `text` as E.164, or None when it is not a US phone number (for searches)."""
    try:
        return normalise_e164(text)
    except ValidationError:
        return None


def format_national(e164: str) -> str:
    """Return `+14155551234` as `(415) 555-1234`; anything else unchanged."""
    if not US_E164_PATTERN.fullmatch(e164 or ""):
        return e164 or ""
    return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"


def check_area_code(code: str, field: str = "area_code", label: str = "Area code") -> str:
    """Return `code` if it is an area code.

    Raises:
        ValidationError: it is not; the sentence calls the field `label`.
    """
    if not AREA_CODE_PATTERN.fullmatch(code):
        raise ValidationError(field, f"{label} must be {AREA_CODE_RULE}.")
    return code
