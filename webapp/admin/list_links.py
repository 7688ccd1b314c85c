"""Links to a console list filtered to exactly the rows a dashboard count counts (web process)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for
from flask_admin import Admin


def filter_key(view: Any, name: str, operation: str | None = None) -> str:
    """The URL key (after `flt0_`) of the list filter `name` (its label or its column's key) with `operation`
    (e.g. `equals`; None: the first filter so named).

    Raises:
        LookupError: the list has no such filter (a renamed filter must never widen a link to the whole list).
    """
    for index, flt in enumerate(view._filters or ()):
        named = name in (str(flt.name), getattr(getattr(flt, "column", None), "key", None))
        if named and (operation is None or str(flt.operation()) == operation):
            return str(view.get_filter_arg(index, flt))
    raise LookupError(f"{view.endpoint} has no filter {name!r} {operation or ''}")


def filtered_list_url(admin: Admin, endpoint: str, conditions: Mapping[tuple[str, str], str]) -> str:
    """The URL of the list at `endpoint` showing only the rows that meet every condition.

    `conditions` maps (filter, operation), as the list's filter menu names them, to the value:
    `{("Status", "equals"): "active", ("Has number", "is"): "no"}`.
    """
    view = next(v for v in admin._views if v.endpoint == endpoint)
    args: dict[str, Any] = {
        f"flt{position}_{filter_key(view, name, operation)}": value
        for position, ((name, operation), value) in enumerate(conditions.items())
    }
    return url_for(f"{endpoint}.index_view", **args)
