"""Argument checks run before any I/O; each raises ValueError with a sentence saying what is wrong."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from webapp.number_formats import AREA_CODE_PATTERN, AREA_CODE_RULE, E164_PATTERN, sid_regex

FRIENDLY_NAME_MAX = 64
"""Twilio's limit on a number's FriendlyName (its schema does not enforce it; Twilio does)."""

_COUNTRY = re.compile(r"[A-Z]{2}")
_CONTAINS = re.compile(r"[0-9A-Za-z*%+$]{2,16}")
_REGION = re.compile(r"[A-Z]{2}")
_POSTAL_CODE = re.compile(r"[0-9A-Za-z -]{3,10}")

NUMBER_TYPES = ("local", "toll-free", "mobile")
"""The kinds of number a search may ask for."""


def check_e164(value: str, what: str = "phone number") -> str:
    """Return `value` if it is an E.164 number (`+` and up to 15 digits)."""
    if not isinstance(value, str) or not E164_PATTERN.fullmatch(value):
        raise ValueError(f"The {what} must be in E.164 form, like +14155550100; got {value!r}.")
    return value


def check_sid(value: str, prefix: str, what: str) -> str:
    """Return `value` if it is a Twilio SID: `prefix` and 32 hexadecimal digits."""
    if not isinstance(value, str) or not re.fullmatch(sid_regex(prefix), value):
        raise ValueError(f"The {what} SID must be {prefix} followed by 32 hexadecimal digits; got {value!r}.")
    return value


def check_friendly_name(value: str) -> str:
    """Return `value` if it can be a number's FriendlyName (1 to 64 characters)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("The friendly name must not be empty.")
    if len(value) > FRIENDLY_NAME_MAX:
        raise ValueError(
            f"The friendly name must be at most {FRIENDLY_NAME_MAX} characters; got {len(value)}."
        )
    return value


def check_url(value: str, what: str) -> str:
    """Return `value` if it is an absolute http(s) URL."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"The {what} must be an absolute http:// or https:// URL; got {value!r}.")
    return value


def check_area_code(value: str | None) -> str | None:
    """Return `value` if it is None or a three-digit North American area code."""
    if value is not None and (not isinstance(value, str) or not AREA_CODE_PATTERN.fullmatch(value)):
        raise ValueError(f"The area code must be {AREA_CODE_RULE}; got {value!r}.")
    return value


def check_country(value: str) -> str:
    """Return `value` if it is an ISO 3166 two-letter country code in capitals."""
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
        raise ValueError(f"The country must be a two-letter ISO code in capitals, like US; got {value!r}.")
    return value


def check_contains(value: str | None) -> str | None:
    """Return `value` if it is None or a Twilio number pattern (2 to 16 letters, digits or `* % + $`)."""
    if value is not None and (not isinstance(value, str) or not _CONTAINS.fullmatch(value)):
        raise ValueError(
            f"The number pattern must be 2 to 16 letters, digits or the wildcards * % + $; got {value!r}."
        )
    return value


def check_limit(value: int) -> int:
    """Return `value` if it is a page size Twilio accepts (1 to 1000)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
        raise ValueError(f"The limit must be a whole number from 1 to 1000; got {value!r}.")
    return value


def check_timeout(value: float, what: str) -> float:
    """Return `value` if it is a timeout greater than zero."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"The {what} must be greater than zero seconds; got {value!r}.")
    return value


def check_number_type(value: str) -> str:
    """Return `value` if it is a kind of number Twilio sells: local, toll-free or mobile."""
    if value not in NUMBER_TYPES:
        raise ValueError(f"The number type must be one of {', '.join(NUMBER_TYPES)}; got {value!r}.")
    return value


def check_region(value: str | None) -> str | None:
    """Return `value` if it is None or a two-letter state or province code in capitals, like CA."""
    if value is not None and (not isinstance(value, str) or not _REGION.fullmatch(value)):
        raise ValueError(f"The state or region must be two capital letters, like CA; got {value!r}.")
    return value


NEAR_MAX_MILES = 500
"""The largest `Distance` Twilio accepts around `NearNumber`."""


def check_distance(value: int | None, near_number: str | None) -> int | None:
    """Return `value` if it is None or a whole number of miles (0 to 500) around a number to search near."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= NEAR_MAX_MILES:
        raise ValueError(
            f"The distance must be a whole number of miles from 0 to {NEAR_MAX_MILES}; got {value!r}."
        )
    if near_number is None:
        raise ValueError("A distance needs a number to search near.")
    return value


def check_postal_code(value: str | None) -> str | None:
    """Return `value` if it is None or a postal code (3 to 10 letters, digits, spaces or hyphens)."""
    if value is not None and (not isinstance(value, str) or not _POSTAL_CODE.fullmatch(value)):
        raise ValueError(f"The postal code must be 3 to 10 letters or digits, like 94103; got {value!r}.")
    return value
