"""Teach Flask-Admin's filters and forms our `UTCDateTime` column type (it matches types by name)."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.filters import convert
from flask_admin.model.form import converts


class SwitchboardFilterConverter(FilterConverter):
    """Flask-Admin's filters, with UTCDateTime columns filtered like DateTime ones."""

    @convert("utcdatetime")
    def conv_utc_datetime(self, column: Any, name: str, **kwargs: Any) -> Any:
        return self.conv_datetime(column, name, **kwargs)


class SwitchboardModelConverter(AdminModelConverter):
    """Flask-Admin's form fields, with UTCDateTime columns edited like DateTime ones."""

    @converts("UTCDateTime")
    def convert_utc_datetime(self, field_args: Any, **extra: Any) -> Any:
        return self.convert_datetime(field_args, **extra)
