"""Links to a console list filtered to exactly the rows a dashboard count counts (web process)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for
from flask_admin import Admin


def console_view(admin: Admin, endpoint: str) -> Any:
    """The console's view with `endpoint` (e.g. `business`).

    Raises:
        LookupError: the console has no such view.
    """
    for view in admin._views:
        if view.endpoint == endpoint:
            return view
    raise LookupError(endpoint)


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
    view = console_view(admin, endpoint)
    args: dict[str, Any] = {
        f"flt{position}_{filter_key(view, name, operation)}": value
        for position, ((name, operation), value) in enumerate(conditions.items())
    }
    return url_for(f"{endpoint}.index_view", **args)
