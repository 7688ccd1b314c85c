"""Helpers for the console tests: statements counted, flashes read, list actions posted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from harness.web import csrf_token
from webapp.extensions import db


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The response body as text."""
    return response.get_data(as_text=True)


def follow(client: FlaskClient, response) -> str:  # type: ignore[no-untyped-def]
    """Follow a redirect and return the page it leads to (flashed messages included)."""
    assert response.status_code == 302, page_text(response)[:500]
    return page_text(client.get(response.headers["Location"]))


ACTIVITY_LINK = re.compile(r'href="/admin/activity/details/\?id=([0-9a-f-]{36})" class="alert-link"')


def flashed_activity_ids(page: str) -> list[str]:
    """The Activity ids the page's flashed messages link to."""
    return ACTIVITY_LINK.findall(page)


def post_action(client: FlaskClient, endpoint: str, action: str, ids: list, url: str | None = None):  # type: ignore[no-untyped-def]
    """Post the list's "With selected" `action` for the rows `ids` of the view `endpoint`, like the page."""
    data = {"action": action, "rowid": [str(i) for i in ids], "csrf_token": csrf_token(client)}
    if url:
        data["url"] = url
    return client.post(f"/admin/{endpoint}/action/", data=data)


def build_url(rule, values: dict) -> str:  # type: ignore[no-untyped-def]
    """The URL of the url_map `rule` with its arguments taken from `values`."""
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def stored_row(model: type, record_id: Any) -> dict[str, Any]:
    """The record's row as the database holds it now, column by column."""
    db.session.rollback()  # a fresh transaction sees what the request committed
    table = model.__table__
    return dict(db.session.execute(db.select(table).where(table.c.id == record_id)).mappings().one())
