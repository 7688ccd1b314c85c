"""Teach Flask-Admin our column types: `UTCDateTime` (it matches types by name) and value-stored enums.

Our enum columns store each member's value (`trial`), and the filter's drop-down offers those values, but
Flask-Admin's enum filters look members up by name (`TRIAL`): every choice would fail, and an unknown one
would raise a KeyError (a 500). These filters look members up by value; an unknown value is a ValueError,
which Flask-Admin treats as an invalid filter and ignores.

Flask-Admin's enum form field has the same mismatch: it offers the values but holds a record's member by
name, so no option was `selected` and a browser posted the first one (a plain Save turned an active
business into a trial one). Our enum fields hold and offer the value, labelled as the console shows it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from flask_admin.contrib.sqla import filters
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.filters import convert
from flask_admin.model.form import converts

from webapp.admin.formatters import label


def enum_choices(enum_class: type[Enum]) -> list[tuple[str, str]]:
    """Each member as a (stored value, label) choice: `("in_sync", "In sync")`."""
    return [(member.value, label(member)) for member in enum_class]


def enum_value(value: Any) -> str:
    """A member, or a value posted by the form, as the stored value the choices are keyed by."""
    return value.value if isinstance(value, Enum) else str(value)


class ByValue:
    """Mixin for Flask-Admin's enum filters: a URL value names a member by its value."""

    enum_class: Any

    def clean(self, value: Any) -> Any:
        if self.enum_class is None:
            return super().clean(value)  # type: ignore[misc]
        return self.enum_class(value)


class ListByValue:
    """Mixin for Flask-Admin's enum list filters: comma-separated member values."""

    enum_class: Any

    def clean(self, value: Any) -> Any:
        values = filters.FilterInList.clean(self, value)
        return values if self.enum_class is None else [self.enum_class(v) for v in values]


class EnumEqual(ByValue, filters.EnumEqualFilter):
    pass


class EnumNotEqual(ByValue, filters.EnumFilterNotEqual):
    pass


class EnumInList(ListByValue, filters.EnumFilterInList):
    pass


class EnumNotInList(ListByValue, filters.EnumFilterNotInList):
    pass


class InUTC:
    """Mixin for Flask-Admin's datetime filters: times typed in are UTC (UTCDateTime refuses naive ones)."""

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)  # type: ignore[misc]
        if isinstance(cleaned, datetime):
            return cleaned.replace(tzinfo=UTC)
        if isinstance(cleaned, list | tuple):
            return type(cleaned)(v.replace(tzinfo=UTC) if isinstance(v, datetime) else v for v in cleaned)
        return cleaned


UTC_DATETIME_FILTERS = tuple(
    type(f"UTC{flt.__name__}", (InUTC, flt), {}) for flt in FilterConverter.datetime_filters
)
"""Each of Flask-Admin's datetime filters (equal, greater, between, ...), reading its input as UTC."""


class SwitchboardFilterConverter(FilterConverter):
    """Flask-Admin's filters, with UTCDateTime columns filtered like DateTime ones, enums by value."""

    enum = (EnumEqual, EnumNotEqual, filters.EnumFilterEmpty, EnumInList, EnumNotInList)

    @convert("utcdatetime")
    def conv_utc_datetime(self, column: Any, name: str, **kwargs: Any) -> Any:
        return [flt(column, name, **kwargs) for flt in UTC_DATETIME_FILTERS]

    @convert("enum")
    def conv_enum(self, column: Any, name: str, options: Any = None, **kwargs: Any) -> Any:
        if not options and column.type.enum_class is not None:
            options = enum_choices(column.type.enum_class)
        return super().conv_enum(column, name, options, **kwargs)


class SwitchboardModelConverter(AdminModelConverter):
    """Flask-Admin's form fields, with UTCDateTime columns edited like DateTime ones, enums by value."""

    @converts("UTCDateTime")
    def convert_utc_datetime(self, field_args: Any, **extra: Any) -> Any:
        return self.convert_datetime(field_args, **extra)

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column: Any, field_args: Any, **extra: Any) -> Any:
        field = super().convert_enum(column=column, field_args=field_args, **extra)
        if column.type.enum_class is not None:
            field.kwargs["choices"] = enum_choices(column.type.enum_class)
            field.kwargs["coerce"] = enum_value
        return field
