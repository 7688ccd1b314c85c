"""The Health panel of a number (on its page and its business's page): what the template shows, and the
endpoints that refresh it and place a test call."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_admin.helpers import get_redirect_target
from werkzeug.wrappers import Response

from webapp.admin.base import (
    flash_activity,
    latest_number_activity,
    may,
    parse_id,
    reporting_refusals,
    requester,
)
from webapp.admin.call_activity import call_activity
from webapp.extensions import db
from webapp.jobs.enqueue import NO_TEST_CALLER, enqueue_health_check, enqueue_test_call
from webapp.jobs.reads.health_cache import load_health
from webapp.jobs.reads.health_report import (
    ago,
    change_sentence,
    configuration_rows,
    drift_cause,
    meaning,
    parse_time,
)
from webapp.models import Activity, ActivityKind, PhoneNumber, Role
from webapp.models.base import utcnow

NO_TEST_CALLER_FOR_OPERATORS = (
    "Test calls are not set up on this console: an admin has to name the number that places them."
)
"""Why no test call can be placed, as operators read it (admins read the setting's name, NO_TEST_CALLER)."""


def test_call_refusal() -> str | None:
    """Why the signed-in user cannot place a test call, or None: the setting's name only for admins."""
    if current_app.config["TWILIO_TEST_CALLER"]:
        return None
    return NO_TEST_CALLER if may(Role.ADMIN) else NO_TEST_CALLER_FOR_OPERATORS


def health_context(number: PhoneNumber | None) -> dict[str, Any] | None:
    """Return what the Health panel shows for `number` (None without a number): its last snapshot, when it
    was read, the drift's cause, and the sentences for its alerts and changes."""
    if number is None:
        return None
    now = utcnow()
    snapshot = load_health(number.id) or {}
    read_at = parse_time(snapshot.get("read_at"))
    unreadable = snapshot.get("unreadable")
    return {
        "number": number,
        "snapshot": snapshot if read_at else None,
        "read_at": read_at,
        "read_ago": ago(read_at, now) if read_at else None,
        "unreadable": unreadable,
        "unreadable_ago": ago(parse_time(unreadable["at"]), now) if unreadable else None,
        "cause": drift_cause(snapshot, now) if read_at else None,
        "configuration_rows": configuration_rows(snapshot),
        "changes": [change_sentence(c, now) for c in snapshot.get("changes", [])],
        "meaning": meaning,
        "test_call_refusal": test_call_refusal(),
        "last_test_call": last_test_call(number),
        "calls": call_activity(number.id),
    }


def last_test_call(number: PhoneNumber) -> Activity | None:
    """Return the number's latest test call, for its verdict."""
    return latest_number_activity(number, ActivityKind.TEST_CALL)


def number_from_form() -> PhoneNumber:
    """Return the number the posted `id` names; 404 otherwise."""
    number_id: uuid.UUID | None = parse_id(request.form.get("id"))
    number = db.session.get(PhoneNumber, number_id) if number_id else None
    if number is None:
        abort(404)
    return number


def back_to_number(number: PhoneNumber) -> Response:
    """Redirect to where the form came from, or the number's page."""
    return redirect(get_redirect_target() or url_for("phonenumber.details_view", id=number.id))


def refresh_health_view() -> Response:
    """Read the number's health from Twilio again, in a background job (any signed-in user: it reads)."""
    number = number_from_form()
    with reporting_refusals():
        activity = enqueue_health_check(number, requester())
        flash_activity(f"Reading the health of {number.formatted} from Twilio.", activity)
    return back_to_number(number)


def test_call_view() -> Response:
    """Place a test call to the number in a background job (operators)."""
    number = number_from_form()
    with reporting_refusals():
        activity = enqueue_test_call(number, requester())
        flash_activity(f"Placing a test call to {number.formatted}.", activity)
    return back_to_number(number)
