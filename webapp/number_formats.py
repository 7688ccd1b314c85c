"""The formats of area codes, E.164 numbers and Twilio SIDs, each written once.

Both the models (field validation, the database's check constraints) and the Twilio client (argument checks
before any request) need them. They live here, below both packages, because neither may import the other:
the client speaks in its own dataclasses and never imports models (STYLE.md), and the models know no vendor
client. This module imports nothing from Switchboard.
"""

from __future__ import annotations

import re

AREA_CODE_REGEX = "[2-9][0-9]{2}"
"""A North American area code: three digits, the first from 2 to 9."""

AREA_CODE_RULE = "3 digits, the first from 2 to 9 (e.g. 415)"
"""The area-code format in words, for the sentences that refuse a malformed one."""

US_E164_REGEX = r"\+1[0-9]{10}"
"""A US number in E.164 form, the only kind Switchboard records."""

E164_REGEX = r"\+[1-9][0-9]{1,14}"
"""Any E.164 number (`+` and up to 15 digits), as Twilio accepts it."""


def sid_regex(prefix: str) -> str:
    """Return the regular expression of a Twilio SID: `prefix` (`PN`, `CA`...) and 32 hexadecimal digits."""
    return prefix + "[0-9a-fA-F]{32}"


NUMBER_SID_REGEX = sid_regex("PN")
"""The SID of an incoming phone number."""

AREA_CODE_PATTERN = re.compile(AREA_CODE_REGEX)
US_E164_PATTERN = re.compile(US_E164_REGEX)
E164_PATTERN = re.compile(E164_REGEX)
NUMBER_SID_PATTERN = re.compile(NUMBER_SID_REGEX)
"""Compiled forms of the expressions above; use `fullmatch`."""
