"""Request bodies no Switchboard page sends, refused with a 400 before anything reads them.

No page uploads a file: Flask-Admin's forms would hand a file part to a text field (a 500 in a length
check or a database bind), and Flask-WTF's sign-in form would read it as the e-mail. A multipart part
whose header is broken has no name, which Flask-WTF's CSRF check cannot read (a 500 before any sign-in).
The check runs before CSRFProtect, so it is registered first (see `register_extensions`).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

NO_FILES = "Switchboard's forms take no files: send the form's fields only."
NAMELESS_FIELD = "The form is malformed: one of its fields has no name."


def refuse_malformed_body() -> None:
    """Raise BadRequest for a body with files or with a field without a name."""
    if request.method not in BODY_METHODS:
        return
    if request.files:
        raise BadRequest(NO_FILES)
    if None in request.form:
        raise BadRequest(NAMELESS_FIELD)


def init_app(app: Flask) -> None:
    """Check every request's body (register before CSRFProtect, which reads the form's field names)."""
    app.before_request(refuse_malformed_body)
