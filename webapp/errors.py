"""Plain error pages for every HTTP error and for anything unexpected; tracebacks go to the log only."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

logger = logging.getLogger(__name__)


def render_error(error: HTTPException) -> tuple[str | Response, int]:
    """Render `error` as the plain error page (or JSON for JSON clients)."""
    code = error.code or 500
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=error.name, message=error.description), code
    return render_template("errors/error.html", error=error, came_from=came_from()), code


def came_from() -> str | None:
    """The page of this site that linked here (the Referer), for the error page's way back; else None."""
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc == request.host and not referrer.path.startswith("//")  # no other host
    if not same_site or referrer.path == request.path:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def handle_database_unreachable(error: OperationalError) -> tuple[str | Response, int]:
    """Answer 503 with a plain page when the database does not answer."""
    logger.error("database unreachable: %s", error.__class__.__name__, exc_info=error)
    return render_error(ServiceUnavailable("The database is not answering. Try again in a minute."))


UNSTORABLE_INPUT = (
    "Something you typed holds a character or a value the console cannot use. Check it and try again."
)
"""What a user reads when the database refuses a value as given; the database's own text stays in the log."""


def handle_unstorable_input(error: DataError) -> tuple[str | Response, int]:
    """Answer 400 when the database refuses a value as given (PostgreSQL: a NUL byte, a number too large)."""
    logger.warning("database refused the input on %s %s: %s", request.method, request.path, error.orig)
    return render_error(BadRequest(UNSTORABLE_INPUT))


def handle_unexpected(error: Exception) -> tuple[str | Response, int]:
    """Log the traceback and answer a plain 500 page."""
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError("Something went wrong on our side. It has been logged."))


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(OperationalError, handle_database_unreachable)
    app.register_error_handler(DataError, handle_unstorable_input)
    app.register_error_handler(Exception, handle_unexpected)
