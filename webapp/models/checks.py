"""Database check constraints for text formats, so bad rows cannot enter even around the ORM.

PostgreSQL checks a regular expression; SQLite, which has none built in, checks the same shape with GLOB.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint

from webapp.number_formats import AREA_CODE_REGEX as AREA_CODE
from webapp.number_formats import NUMBER_SID_REGEX, US_E164_REGEX


def format_check(column: str, regex: str, glob: str, name: str) -> tuple[CheckConstraint, CheckConstraint]:
    """Return the PostgreSQL and SQLite check constraints that `column` matches a format."""
    return (
        CheckConstraint(f"{column} ~ '{regex}'", name=name).ddl_if(dialect="postgresql"),
        CheckConstraint(f"{column} GLOB '{glob}'", name=name).ddl_if(dialect="sqlite"),
    )


DIGIT = "[0-9]"
HEX = "[0-9a-fA-F]"
E164_REGEX = f"^{US_E164_REGEX}$"
E164_GLOB = "+1" + DIGIT * 10
SID_REGEX = f"^{NUMBER_SID_REGEX}$"
SID_GLOB = "PN" + HEX * 32
AREA_CODE_REGEX = f"^{AREA_CODE}$"
AREA_CODE_GLOB = "[2-9]" + DIGIT * 2
