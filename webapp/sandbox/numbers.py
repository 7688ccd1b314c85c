"""Searching, buying and configuring phone numbers, with Twilio's validation and error codes."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from webapp.sandbox import errors
from webapp.sandbox.errors import TwilioError
from webapp.sandbox.pool import (
    AREA_CODE,
    E164_US,
    MAGIC_INVALID,
    MAGIC_UNAVAILABLE,
    Locality,
    PoolNumber,
    area_codes_of,
    area_pool,
    digit_pattern,
    find_pool_number,
    place_of,
)
from webapp.sandbox.store import OwnedNumber, Store

FRIENDLY_NAME_MAX = 64
"""Twilio's limit on a number's FriendlyName."""

URL_SETTINGS = {
    "VoiceUrl": "voice_url",
    "VoiceFallbackUrl": "voice_fallback_url",
    "StatusCallback": "status_callback",
    "SmsUrl": "sms_url",
    "SmsFallbackUrl": "sms_fallback_url",
}
METHOD_SETTINGS = {
    "VoiceMethod": "voice_method",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallbackMethod": "status_callback_method",
    "SmsMethod": "sms_method",
    "SmsFallbackMethod": "sms_fallback_method",
}
ROUTING_SETTINGS = {
    "VoiceApplicationSid": ("voice_application_sid", re.compile(r"^AP[0-9a-fA-F]{32}$"), "an application"),
    "SmsApplicationSid": ("sms_application_sid", re.compile(r"^AP[0-9a-fA-F]{32}$"), "an application"),
    "TrunkSid": ("trunk_sid", re.compile(r"^TK[0-9a-fA-F]{32}$"), "a trunk"),
}
"""Settings naming what takes the number's calls or texts instead of its URLs; empty clears them."""

EXCLUSIVE = {"voice_application_sid": "trunk_sid", "trunk_sid": "voice_application_sid"}
"""Setting a voice application clears the trunk and the other way round, as Twilio does."""


def invalid(message: str, code: int = errors.INVALID_PARAMETER) -> TwilioError:
    """Return a 400 error for a malformed parameter."""
    return TwilioError(400, code, message)


def parse_flag(name: str, raw: str) -> bool:
    """Return Twilio's `true`/`false` form value as a bool."""
    if raw.lower() not in ("true", "false"):
        raise invalid(f"{name} must be true or false, got {raw!r}.")
    return raw.lower() == "true"


def parse_number_settings(form: Mapping[str, str]) -> tuple[str | None, dict[str, Any]]:
    """Return the FriendlyName (None if not given) and the settings a purchase or update sets.

    Raises:
        TwilioError: a URL, method, application SID or the FriendlyName is malformed.
    """
    settings: dict[str, Any] = {}
    for param, field in URL_SETTINGS.items():
        if param in form:
            url = form[param].strip()
            parts = urlsplit(url)
            if url and (parts.scheme not in ("http", "https") or not parts.netloc):
                raise invalid(f"{param} is not a valid URL: {url!r}.", errors.INVALID_URL)
            settings[field] = url
    for param, field in METHOD_SETTINGS.items():
        if param in form:
            method = form[param].strip().upper()
            if method not in ("GET", "POST"):
                raise invalid(f"{param} must be GET or POST, got {form[param]!r}.")
            settings[field] = method
    for param, (field, pattern, what) in ROUTING_SETTINGS.items():
        if param in form:
            sid = form[param].strip()
            if sid and not pattern.match(sid):
                prefix = pattern.pattern[1:3]
                raise invalid(f"{param} must be {what} SID ({prefix} + 32 hex digits), got {sid!r}.")
            settings[field] = sid
    for field, other in EXCLUSIVE.items():
        if settings.get(field):
            if settings.get(other):
                raise invalid("Give a VoiceApplicationSid or a TrunkSid, not both.")
            settings[other] = ""
    if "VoiceCallerIdLookup" in form:
        settings["voice_caller_id_lookup"] = parse_flag("VoiceCallerIdLookup", form["VoiceCallerIdLookup"])
    friendly_name = form.get("FriendlyName")
    if friendly_name is not None and len(friendly_name) > FRIENDLY_NAME_MAX:
        raise invalid(
            f"FriendlyName must be at most {FRIENDLY_NAME_MAX} characters, got {len(friendly_name)}."
        )
    return friendly_name, settings


SEARCH_RESULTS_MAX = 30
"""Twilio answers a search with at most about 30 numbers, whatever the PageSize (twilio-node #316)."""

NEAR_DEFAULT_MILES = 25
"""Twilio's default `Distance` around `NearNumber`."""

NEAR_MAX_MILES = 500
"""The largest `Distance` Twilio accepts."""


def miles_between(a: Locality, b: Locality) -> float:
    """Return the great-circle distance between two localities, in miles."""
    lat_a, lon_a, lat_b, lon_b = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    cos_angle = math.sin(lat_a) * math.sin(lat_b) + math.cos(lat_a) * math.cos(lat_b) * math.cos(
        lon_b - lon_a
    )
    return 3958.8 * math.acos(max(-1.0, min(1.0, cos_angle)))


def near_filter(query: Mapping[str, str]) -> Callable[[Locality | None], bool] | None:
    """Return the `NearNumber`/`Distance` test for a number's locality, or None when not asked for.

    Raises:
        TwilioError: the number is not E.164, or the distance is not 0 to 500 miles.
    """
    near = query.get("NearNumber", "").strip()
    if not near:
        return None
    if not E164_US.match(near):
        raise invalid(
            f"NearNumber must be a US number in E.164 form, got {near!r}.", errors.INVALID_PHONE_NUMBER
        )
    raw = query.get("Distance", "").strip() or str(NEAR_DEFAULT_MILES)
    if not raw.isdigit() or int(raw) > NEAR_MAX_MILES:
        raise invalid(f"Distance must be a whole number of miles from 0 to {NEAR_MAX_MILES}, got {raw!r}.")
    centre = place_of(near[2:5])
    return lambda where: centre is not None and where is not None and miles_between(centre, where) <= int(raw)


def search_available(
    store: Store, pool_size: int, query: Mapping[str, str], number_type: str = "local"
) -> list[PoolNumber]:
    """Return the numbers of `number_type` for sale that match a search: `AreaCode`, `Contains`, `InRegion`,
    `InPostalCode`, `NearNumber` (with `Distance`), `VoiceEnabled`/`SmsEnabled`/`MmsEnabled`, `PageSize`
    (at most `SEARCH_RESULTS_MAX`).

    Raises:
        TwilioError: the area code is not three digits, or another filter is malformed.
    """
    area_code = query.get("AreaCode", "").strip()
    if area_code and not AREA_CODE.match(area_code):
        raise invalid(f"AreaCode must be three digits, got {area_code!r}.", errors.INVALID_AREA_CODE)
    try:
        contains = digit_pattern(query["Contains"]) if query.get("Contains") else None
    except ValueError as error:
        raise invalid(f"Contains: {error}") from None
    wanted = {
        name: parse_flag(name, query[name])
        for name in ("VoiceEnabled", "SmsEnabled", "MmsEnabled")
        if name in query
    }
    region = query.get("InRegion", "").strip().upper()
    postal_code = query.get("InPostalCode", "").strip()
    near = near_filter(query)
    size = min(page_size(query), SEARCH_RESULTS_MAX)
    owned = store.owned_phone_numbers()
    found = []
    for code in [area_code] if area_code else area_codes_of(number_type):
        for number in area_pool(code, pool_size, number_type):
            where = number.locality
            capable = {"VoiceEnabled": True, "SmsEnabled": number.sms, "MmsEnabled": number.sms}
            if (
                number.phone_number not in owned
                and (contains is None or contains.search(number.phone_number[1:]))
                and all(capable[name] == flag for name, flag in wanted.items())
                and (not region or (where is not None and where.region == region))
                and (not postal_code or (where is not None and where.postal_code == postal_code))
                and (near is None or near(where))
            ):
                found.append(number)
                if len(found) == size:
                    return found
    return found


def page_size(query: Mapping[str, str], default: int = 50) -> int:
    """Return the `PageSize` asked for (1-1000), or `default`.

    Raises:
        TwilioError: PageSize is not a whole number from 1 to 1000.
    """
    raw = query.get("PageSize", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise invalid(f"PageSize must be a whole number from 1 to 1000, got {raw!r}.")
    return int(raw)


def purchase(store: Store, pool_size: int, form: Mapping[str, str]) -> OwnedNumber:
    """Buy the number `PhoneNumber` names, or any free number in `AreaCode`, configured from `form`.

    Raises:
        TwilioError: 21421 invalid number, 21422 not available, 21451 invalid area code, 21452 no
            numbers left in the area code, 21450 neither given, or a malformed setting.
    """
    friendly_name, settings = parse_number_settings(form)
    phone_number = form.get("PhoneNumber", "").strip()
    area_code = form.get("AreaCode", "").strip()
    if phone_number:
        if phone_number == MAGIC_INVALID or not E164_US.match(phone_number):
            raise invalid(f"The phone number {phone_number} is invalid.", errors.INVALID_PHONE_NUMBER)
        candidate = None if phone_number == MAGIC_UNAVAILABLE else find_pool_number(phone_number, pool_size)
        bought = candidate and store.buy_first_available([candidate], friendly_name, settings)
        if not bought:
            raise invalid(
                f"Phone number {phone_number} is not available to purchase.", errors.NUMBER_NOT_AVAILABLE
            )
        return bought
    if area_code:
        if not AREA_CODE.match(area_code):
            raise invalid(f"AreaCode must be three digits, got {area_code!r}.", errors.INVALID_AREA_CODE)
        bought = store.buy_first_available(area_pool(area_code, pool_size), friendly_name, settings)
        if not bought:
            raise invalid(f"No phone numbers found in area code {area_code}.", errors.NO_NUMBERS_IN_AREA_CODE)
        return bought
    raise invalid("A PhoneNumber or an AreaCode is required.", errors.NUMBER_OR_AREA_CODE_REQUIRED)
