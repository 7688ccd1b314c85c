"""`POST /twilio/call-status` (web process): verify Twilio's signature, check, record, answer 204.

It never calls Twilio back. A request Twilio did not sign for our account gets 403 and one warning (never
the token); malformed fields 400; a body over 64 kB 413, one without Content-Length 411. The signature is
checked against the URL Twilio called: `PUBLIC_BASE_URL` plus the path and query, or, without it, the
request's own URL as the trusted proxies (`TRUSTED_PROXIES`, Werkzeug's `ProxyFix`) report it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, request
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response

from webapp.callbacks.report import MalformedCallback, call_report
from webapp.config import CALL_STATUS_PATH
from webapp.metrics import callbacks as callback_metrics
from webapp.metrics.callbacks import RefusalReason
from webapp.models.one_call import record_call
from webapp.stateless import stateless

logger = logging.getLogger(__name__)
bp = Blueprint("callbacks", __name__)

MAX_BODY_BYTES = 64 * 1024
"""A status callback is well under 2 kB; anything over this is refused before it is read."""


def called_url() -> str:
    """Return the URL Twilio requested, as it signed it: scheme, host, port, path and query."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.root_url.rstrip("/")
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def refusal() -> tuple[RefusalReason, str] | None:
    """Return why the request is not Twilio's for our account (the metric's reason and a sentence), or
    None when it is."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return "bad_signature", "no X-Twilio-Signature"
    validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
    url = called_url()
    if not validator.validate(url, request.form, signature):
        parts = urlsplit(url)  # named without credentials or query, which may hold secrets
        return "bad_signature", f"signature does not match {parts.scheme}://{parts.hostname}{parts.path}"
    account = request.form.get("AccountSid", "")
    if account != current_app.config["TWILIO_ACCOUNT_SID"]:
        return "other_account", f"AccountSid {account[:34]!r} is not this account"
    return None


@bp.post(CALL_STATUS_PATH)
@stateless
def call_status() -> Response:
    """Record one call status callback; 204 once it is stored (or was already)."""
    if request.content_length is None:
        callback_metrics.refused("malformed")
        abort(411)  # Twilio always sends a length; without one the 64 kB bound could not be checked unread
    if request.content_length > MAX_BODY_BYTES:
        callback_metrics.refused("too_large")
        abort(413)
    why = refusal()
    if why:
        callback_metrics.refused(why[0])
        logger.warning("Refused a call status callback from %s: %s.", request.remote_addr, why[1])
        abort(403, "This request is not signed by Twilio for this account.")
    try:
        report = call_report(request.form)
    except MalformedCallback as error:
        callback_metrics.refused("malformed")
        logger.warning("Malformed call status callback: %s", error)
        abort(400, str(error))
    recorded = record_call(report)
    callback_metrics.received(unknown_number=recorded.unknown > 0)
    if recorded.new:
        logger.info("Call %s to %s: %s.", report.call_sid, report.to_number, report.call_status)
    return Response(status=204)


def init_app(app: Flask) -> None:
    """Mount the receiver."""
    app.register_blueprint(bp)
