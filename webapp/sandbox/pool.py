"""The sandbox's finite, deterministic supply of US numbers, and the magic test inputs.

Every area code in `AREA_CODES` offers the first `pool_size` local numbers of `+1 AAA 555 01xx…` and as
many mobile ones of `+1 AAA 556 01xx…`; every code in `TOLL_FREE_CODES` as many toll-free ones of
`+1 8XX 555 01xx…`. Two sandboxes with the same pool size offer the same numbers, and a test can run an
area code dry.
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

NUMBER_TYPES = ("local", "toll-free", "mobile")
"""The kinds of number the sandbox sells, as Switchboard names them (Twilio's Local, TollFree, Mobile)."""

TOLL_FREE_CODES = ("800", "833", "844", "855", "866", "877", "888")
"""The toll-free area codes with numbers for sale."""

EXCHANGES = {"local": "555", "toll-free": "555", "mobile": "556"}
"""The exchange (digits 5 to 7) of each kind of pool number."""

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
    address_requirements: str = "none"


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
    "718": Locality("NY", "Brooklyn", "NWYRCYZN03", "132", "11201", "40.690000", "-73.990000", "local"),
}
"""The area codes with numbers for sale, in the spirit of Twilio's inventory (Brooklyn's need a local
address, so that "address required" has something to show)."""

AREA_CODES_SOLD_OUT: dict[str, Locality] = {
    "530": Locality("CA", "Redding", "REDDING", "722", "96001", "40.590000", "-122.390000"),
    "628": Locality("CA", "San Francisco", "SNFC CNTRL", "722", "94103", "37.770000", "-122.410000"),
}
"""Area codes with no numbers for sale (a search finds none; a purchase by `AreaCode` answers 21452), so
that a search near them (`NearNumber`) or in their state (`InRegion`) has something to find: 628 overlays
San Francisco's 415 (numbers within a few miles), 530 is some 190 miles from California's others.
"""


def place_of(area_code: str) -> Locality | None:
    """Return where an area code is, whether or not it has numbers for sale; None for one the sandbox
    does not know."""
    return AREA_CODES.get(area_code) or AREA_CODES_SOLD_OUT.get(area_code)


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

    @property
    def number_type(self) -> str:
        """Local, toll-free or mobile."""
        return number_type_of(self.phone_number)

    @property
    def locality(self) -> Locality | None:
        """Where the number is; None for a toll-free number."""
        return None if self.number_type == "toll-free" else AREA_CODES.get(self.area_code)


def number_type_of(phone_number: str) -> str:
    """Return which kind of pool number `phone_number` is (numbers outside the pool count as local)."""
    if phone_number[2:5] in TOLL_FREE_CODES:
        return "toll-free"
    return "mobile" if phone_number[5:8] == EXCHANGES["mobile"] else "local"


def area_codes_of(number_type: str) -> list[str]:
    """Return the area codes that offer numbers of this kind, in order."""
    return list(TOLL_FREE_CODES) if number_type == "toll-free" else sorted(AREA_CODES)


def format_national(phone_number: str) -> str:
    """Return a +1 number as `(AAA) EEE-LLLL`, or unchanged if it is not a US number."""
    if not E164_US.match(phone_number):
        return phone_number
    digits = phone_number[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def area_pool(area_code: str, pool_size: int, number_type: str = "local") -> list[PoolNumber]:
    """Return the numbers of this kind `area_code` offers, in order; empty when it offers none."""
    if area_code not in area_codes_of(number_type):
        return []
    exchange = EXCHANGES[number_type]
    # Every tenth local number can take calls only, so the SmsEnabled filter has something to filter.
    return [
        PoolNumber(
            f"+1{area_code}{exchange}{line:04d}", area_code, sms=number_type != "local" or line % 10 != 9
        )
        for line in range(FIRST_LINE, FIRST_LINE + min(pool_size, MAX_POOL_SIZE))
    ]


def find_pool_number(phone_number: str, pool_size: int) -> PoolNumber | None:
    """Return the pool entry for `phone_number`, or None if the sandbox never sells it."""
    if phone_number == MAGIC_AVAILABLE:
        return PoolNumber(MAGIC_AVAILABLE, "500", sms=True)
    if not E164_US.match(phone_number):
        return None
    offered = area_pool(phone_number[2:5], pool_size, number_type_of(phone_number))
    return next((n for n in offered if n.phone_number == phone_number), None)


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
