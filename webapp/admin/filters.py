"""List filters that look through a relationship with a subquery, so the list query gains no join."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from sqlalchemy import exists, select

from webapp.admin.formatters import CAPABILITY_LABELS, label
from webapp.models import CAPABILITIES, Business, BusinessStatus, PhoneNumber
from webapp.number_formats import AREA_CODE_PATTERN

YES_NO = (("yes", "Yes"), ("no", "No"))


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
