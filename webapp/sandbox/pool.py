"""The sandbox's finite, deterministic supply of US local numbers, and the magic test inputs.

Every area code in `AREA_CODES` offers the first `pool_size` numbers of `+1 AAA 555 01xx…`, so two
sandboxes with the same pool size offer the same numbers, and a test can run an area code dry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_POOL_SIZE = 50
"""How many numbers each area code offers unless told otherwise."""

MAX_POOL_SIZE = 9900
"""The most numbers one area code can offer (line numbers 0100 to 9999)."""

FIRST_LINE = 100
"""Pool numbers start at line 0100: 555-0100 to 555-0199 are the fictional numbers of North America."""

MAGIC_UNAVAILABLE = "+15005550000"
"""Twilio's test number that is never available to buy (21422)."""

MAGIC_INVALID = "+15005550001"
"""Twilio's test number that is always invalid (21421)."""

MAGIC_AVAILABLE = "+15005550006"
"""Twilio's test number that can always be bought, however often, and may send calls and messages."""

MAGIC_NO_NUMBERS_AREA_CODE = "533"
"""Twilio's test area code with no numbers (21452); not in `AREA_CODES`, so never any."""

E164_US = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")
AREA_CODE = re.compile(r"^\d{3}$")
KEYPAD = {letter: digit for digit, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ",
}.items() for letter in letters}  # fmt: skip


@dataclass(frozen=True)
class Locality:
    """Where an area code's numbers are, as Twilio describes an available number."""

    region: str
    locality: str
    rate_center: str
    lata: str
    postal_code: str
    latitude: str
    longitude: str


AREA_CODES: dict[str, Locality] = {
    "206": Locality("WA", "Seattle", "SEATTLE", "674", "98101", "47.610000", "-122.330000"),
    "212": Locality("NY", "New York", "NWYRCYZN01", "132", "10001", "40.750000", "-73.990000"),
    "213": Locality("CA", "Los Angeles", "LSAN DA 01", "730", "90012", "34.050000", "-118.240000"),
    "303": Locality("CO", "Denver", "DENVER", "656", "80202", "39.740000", "-104.990000"),
    "305": Locality("FL", "Miami", "MIAMI", "460", "33130", "25.770000", "-80.190000"),
    "312": Locality("IL", "Chicago", "CHICAGO", "358", "60601", "41.880000", "-87.630000"),
    "404": Locality("GA", "Atlanta", "ATLANTA", "438", "30303", "33.750000", "-84.390000"),
    "415": Locality("CA", "San Francisco", "SNFC CNTRL", "722", "94103", "37.770000", "-122.410000"),
    "500": Locality("CA", "Twilio Test", "TWILIOTEST", "722", "94105", "37.790000", "-122.400000"),
    "510": Locality("CA", "Oakland", "OKLD TWSTH", "722", "94612", "37.800000", "-122.270000"),
    "512": Locality("TX", "Austin", "AUSTIN", "558", "78701", "30.270000", "-97.740000"),
    "617": Locality("MA", "Boston", "BOSTON", "128", "02108", "42.360000", "-71.060000"),
    "646": Locality("NY", "New York", "NWYRCYZN01", "132", "10011", "40.740000", "-74.000000"),
    "702": Locality("NV", "Las Vegas", "LAS VEGAS", "721", "89101", "36.170000", "-115.140000"),
    "718": Locality("NY", "Brooklyn", "NWYRCYZN03", "132", "11201", "40.690000", "-73.990000"),
}
"""The area codes with numbers for sale, in the spirit of Twilio's inventory."""


@dataclass(frozen=True)
class PoolNumber:
    """One number the sandbox can sell."""

    phone_number: str
    area_code: str
    sms: bool

    @property
    def friendly_name(self) -> str:
        """The number as Twilio formats it for people: `(415) 555-0100`."""
        return format_national(self.phone_number)


def format_national(phone_number: str) -> str:
    """Return a +1 number as `(AAA) EEE-LLLL`, or unchanged if it is not a US number."""
    if not E164_US.match(phone_number):
        return phone_number
    digits = phone_number[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def area_pool(area_code: str, pool_size: int) -> list[PoolNumber]:
    """Return the numbers `area_code` offers, in order; empty for an area code without numbers."""
    if area_code not in AREA_CODES:
        return []
    # Every tenth number can take calls only, so the SmsEnabled filter has something to filter.
    return [
        PoolNumber(f"+1{area_code}555{line:04d}", area_code, sms=line % 10 != 9)
        for line in range(FIRST_LINE, FIRST_LINE + min(pool_size, MAX_POOL_SIZE))
    ]


def find_pool_number(phone_number: str, pool_size: int) -> PoolNumber | None:
    """Return the pool entry for `phone_number`, or None if the sandbox never sells it."""
    if phone_number == MAGIC_AVAILABLE:
        return PoolNumber(MAGIC_AVAILABLE, "500", sms=True)
    if not E164_US.match(phone_number):
        return None
    return next((n for n in area_pool(phone_number[2:5], pool_size) if n.phone_number == phone_number), None)


def digit_pattern(text: str) -> re.Pattern[str]:
    """Return a regex for Twilio's number patterns: digits, `*` for any digit, letters as on a keypad."""
    parts = []
    for char in text.upper():
        if char == "*":
            parts.append(r"\d")
        elif char.isdigit():
            parts.append(char)
        elif char in KEYPAD:
            parts.append(KEYPAD[char])
        elif char != "+":
            raise ValueError(f"{text!r} may hold only digits, letters, '*' and a leading '+'.")
    return re.compile("".join(parts))
