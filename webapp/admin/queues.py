"""rq-dashboard mounted at /admin/rq/, for admins only."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import rq_dashboard
from flask import Flask, abort, request
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from rq.exceptions import NoSuchJobError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from webapp.admin.base import may, refuse
from webapp.errors import render_error
from webapp.extensions import csrf
from webapp.models import Role

RQ_DASHBOARD_PREFIX = "/admin/rq"

STOCK_TEMPLATES = "rq_dashboard_stock"
"""The prefix under which rq-dashboard's own templates stay reachable once templates/rq_dashboard/ overrides
one: templates/rq_dashboard/navbar.html adds a link back to the console and includes the stock navbar."""


def changes_something() -> bool:
    """Whether this request's rq-dashboard route changes anything: those are the ones that take a POST."""
    return request.url_rule is not None and "POST" in (request.url_rule.methods or ())


def protect_rq_dashboard() -> Response | None:
    """Admins only: anonymous visitors sign in first, anyone else gets 403.

    A route that changes something answers only POST (rq-dashboard's own buttons post with jQuery): a GET
    to one, such as `/requeue/<queue>` from a link in a mail, is a 405. rq-dashboard's buttons post without
    our CSRF token, so its blueprint is exempt from CSRFProtect; a POST must then come from this site
    (Origin, else Referer, naming this host), which a forged cross-site form cannot fake.
    """
    if not may(Role.ADMIN):
        return refuse(Role.ADMIN)
    if changes_something() and request.method != "POST":
        abort(405, valid_methods=["POST"])
    if request.method == "POST":
        source = request.headers.get("Origin") or request.headers.get("Referer") or ""
        if urlsplit(source).netloc != request.host:
            abort(403)
    return None


def no_such_job(error: NoSuchJobError) -> tuple[str | Response, int]:
    """A 404 for a job that is gone: rq-dashboard's requeue or delete of a job deleted or expired."""
    return render_error(NotFound("That job no longer exists: it was deleted or has expired."))


def init_app(app: Flask) -> None:
    """Mount rq-dashboard at /admin/rq/, admins only, reading Redis through the app's client (bounded
    timeouts)."""
    if protect_rq_dashboard not in rq_dashboard.blueprint.before_request_funcs.get(None, []):
        # rq-dashboard's blueprint is one object for the whole process: guard it once, with the first app
        # (Flask refuses setup on a blueprint after its first registration).
        rq_dashboard.blueprint.before_request(protect_rq_dashboard)
    app.config["RQ_DASHBOARD_REDIS_URL"] = (app.config["REDIS_URL"],)
    app.redis_conn = app.extensions["redis"]  # type: ignore[attr-defined]  # where rq-dashboard looks for it
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=RQ_DASHBOARD_PREFIX)
    csrf.exempt(rq_dashboard.blueprint)
    assert app.jinja_loader is not None  # create_app gives the app its templates folder
    app.register_error_handler(NoSuchJobError, no_such_job)
    stock = FileSystemLoader(Path(rq_dashboard.__file__).parent / "templates")
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PrefixLoader({STOCK_TEMPLATES: stock})])
