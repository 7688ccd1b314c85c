"""The console as a signed-in user sees it: a CSRF token, the real sign-in form, filter and sort arguments."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from webapp.admin.list_links import console_view, filter_key

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
"""The hidden CSRF field of a form, in either attribute order Flask-WTF and Flask-Admin render."""


def csrf_token(client: FlaskClient) -> str:
    """Return a CSRF token valid for the client's session (read from the sign-in form)."""
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, "the sign-in page has no CSRF token"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    """Sign the client in through the sign-in form (session cookie, CSRF token); return the answer."""
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )


def admin_view(app: Flask, endpoint: str) -> Any:
    """Return the console's view object with `endpoint` (e.g. `business`)."""
    return console_view(app.extensions["admin"][0], endpoint)


def filter_arg(app: Flask, endpoint: str, name: str, operation: str | None = None) -> str:
    """Return the URL argument (`flt0_3`) of the view's filter `name` (its label or its column's key), and
    `operation` (e.g. `equals`) when given."""
    return f"flt0_{filter_key(admin_view(app, endpoint), name, operation)}"


def sort_arg(app: Flask, endpoint: str, column: str) -> int:
    """Return the `sort` URL argument that orders the view's list by `column`."""
    return [name for name, _ in admin_view(app, endpoint)._list_columns].index(column)
