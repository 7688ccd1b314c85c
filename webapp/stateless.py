"""Routes that machines call, not people (web process): a view marked `@stateless` (Twilio's status callback)
has no session, no signed-in user, no CSRF token, no sign-in throttle and no page headers.

The mark is the one list of such routes; each hook's owner consults it where it registers the hook: CSRF
(`csrf.exempt`, applied here), the throttle (`auth.throttle`), the session (`auth.sessions`, which opens
none for a stateless path: Flask opens the session before it routes), the security headers
(`security_headers`). A stateless route is a plain path, without variables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request

from webapp.extensions import csrf

MARK = "switchboard_stateless"
"""The attribute of a stateless view, and the app's cached set of their paths (`app.extensions`)."""

View = TypeVar("View", bound=Callable[..., object])


def stateless(view: View) -> View:
    """Mark `view` as a route machines call: no session, user, CSRF token, throttle or page headers."""
    setattr(view, MARK, True)
    return csrf.exempt(view)


def is_stateless() -> bool:
    """Whether the current request was routed to a stateless view."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, MARK, False)


def stateless_paths(app: Flask) -> frozenset[str]:
    """The paths of the app's stateless routes, found once (Flask adds no route after the first request)."""
    paths = app.extensions.get(MARK)
    if paths is None:
        paths = app.extensions[MARK] = frozenset(
            rule.rule
            for rule in app.url_map.iter_rules()
            if getattr(app.view_functions[rule.endpoint], MARK, False)
        )
    return paths
