"""List filters that look through a relationship with a subquery, so the list query gains no join; and what
each filter expects, for the message that refuses a value."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.model import filters as base
from sqlalchemy import exists, select

from webapp.admin.formatters import CAPABILITY_LABELS, label
from webapp.models import CAPABILITIES, Business, BusinessStatus, PhoneNumber
from webapp.number_formats import AREA_CODE_PATTERN

YES_NO = (("yes", "Yes"), ("no", "No"))

EXPECTED_BY_KIND: tuple[tuple[type, str], ...] = (
    (base.BaseDateTimeBetweenFilter, "enter two UTC times as YYYY-MM-DD HH:MM:SS to YYYY-MM-DD HH:MM:SS"),
    (base.BaseDateTimeFilter, "enter a UTC time as YYYY-MM-DD HH:MM:SS"),
    (base.BaseDateBetweenFilter, "enter two dates as YYYY-MM-DD to YYYY-MM-DD"),
    (base.BaseDateFilter, "enter a date as YYYY-MM-DD"),
    (base.BaseTimeBetweenFilter, "enter two times as HH:MM:SS to HH:MM:SS"),
    (base.BaseTimeFilter, "enter a time as HH:MM:SS"),
    (base.BaseIntListFilter, "enter whole numbers separated by commas"),
    (base.BaseFloatListFilter, "enter numbers separated by commas"),
    (base.BaseIntFilter, "enter a whole number"),
    (base.BaseFloatFilter, "enter a number"),
    (base.BaseUuidListFilter, "enter record ids separated by commas"),
    (base.BaseUuidFilter, "enter a record id"),
)
"""What Flask-Admin's kinds of filter accept, in words (the first kind a filter is wins)."""


def expected_value(flt: base.BaseFilter, view: Any) -> str:
    """What `flt` accepts, as an instruction: its own `expects`, its choices, or its kind's format."""
    expects = getattr(flt, "expects", None)
    if expects:
        return expects
    options = flt.get_options(view)
    if options:
        return "choose one of " + ", ".join(str(text) for _, text in options)
    return next((words for kind, words in EXPECTED_BY_KIND if isinstance(flt, kind)), "change the value")


def invalid_value_message(flt: base.BaseFilter, value: str, view: Any) -> str:
    """`Filter "Number area code equals": "41" is not valid; enter three digits, e.g. 415.`"""
    return f'Filter "{flt.name} {flt.operation()}": "{value}" is not valid; {expected_value(flt, view)}.'


class HasNumberFilter(BaseSQLAFilter):
    """Businesses with (or without) a phone number."""

    def __init__(self) -> None:
        super().__init__(Business.id, "Has number", options=YES_NO)

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        owns = exists().where(PhoneNumber.business_id == Business.id)
        return query.filter(owns if value == "yes" else ~owns)

    def operation(self) -> str:
        return "is"


class AreaCodeFilter(BaseSQLAFilter):
    """Businesses whose number is in an area code."""

    expects = "enter three digits, e.g. 415"

    def __init__(self) -> None:
        super().__init__(Business.id, "Number area code")

    def validate(self, value: str) -> bool:
        return bool(AREA_CODE_PATTERN.fullmatch(value.strip()))

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        owners = select(PhoneNumber.business_id).where(PhoneNumber.area_code == value.strip())
        return query.filter(Business.id.in_(owners))

    def operation(self) -> str:
        return "equals"


class CapabilityFilter(BaseSQLAFilter):
    """Numbers that have a capability (voice, SMS, MMS, fax)."""

    def __init__(self) -> None:
        super().__init__(
            PhoneNumber.capabilities, "Capability", options=[(c, CAPABILITY_LABELS[c]) for c in CAPABILITIES]
        )

    def validate(self, value: str) -> bool:
        return value in CAPABILITIES

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        return query.filter(PhoneNumber.capabilities[value].as_boolean().is_(True))

    def operation(self) -> str:
        return "includes"


class BusinessStatusFilter(BaseSQLAFilter):
    """Numbers whose business has a status."""

    def __init__(self) -> None:
        super().__init__(
            PhoneNumber.business_id,
            "Business status",
            options=[(status.value, label(status)) for status in BusinessStatus],
        )

    def validate(self, value: str) -> bool:
        return value in {status.value for status in BusinessStatus}

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        businesses = select(Business.id).where(Business.status == BusinessStatus(value))
        return query.filter(PhoneNumber.business_id.in_(businesses))

    def operation(self) -> str:
        return "equals"
