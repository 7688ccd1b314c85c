"""The Twilio REST endpoints the sandbox answers, under `/2010-04-01/Accounts/{AccountSid}/`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox import emergency, errors, numbers, render, voice
from webapp.sandbox.errors import TwilioError
from webapp.sandbox.monitor import record_number_change
from webapp.sandbox.pool import MAGIC_AVAILABLE, digit_pattern
from webapp.sandbox.state import current_state
from webapp.sandbox.store import new_sid, utc_now

bp = Blueprint("api", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")
bp.before_request(emergency.settle_due)

PAGE_TOKEN = re.compile(r"^PT(\d+)$")
E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def created(resource: dict[str, Any]) -> tuple[Response, int]:
    """Return a 201 answer with the resource, as Twilio answers a create."""
    return jsonify(resource), 201


def not_found(kind: str, sid: str) -> TwilioError:
    """Return Twilio's 404 for a resource that does not exist (or no longer does)."""
    return TwilioError(404, errors.NOT_FOUND, f"The requested resource {kind} {sid} was not found")


SEARCH_PATHS = {"Local": "local", "TollFree": "toll-free", "Mobile": "mobile"}
"""Twilio's search path for each kind of number the sandbox sells."""


@bp.get("/AvailablePhoneNumbers/<country>/Local.json", defaults={"kind": "Local"})
@bp.get("/AvailablePhoneNumbers/<country>/TollFree.json", defaults={"kind": "TollFree"})
@bp.get("/AvailablePhoneNumbers/<country>/Mobile.json", defaults={"kind": "Mobile"})
def search_available_numbers(account_sid: str, country: str, kind: str) -> Response:
    """List local, toll-free or mobile numbers for sale; only `US` has any. Nothing found is an empty list,
    not an error."""
    state = current_state()
    found = (
        numbers.search_available(state.store, state.pool_size, request.args, SEARCH_PATHS[kind])
        if country == "US"
        else []
    )
    return jsonify(
        available_phone_numbers=[render.available_number(n) for n in found],
        uri=request.full_path.rstrip("?"),
    )


@bp.get("/IncomingPhoneNumbers.json")
def list_incoming_numbers(account_sid: str) -> Response:
    """List owned numbers, filtered by `FriendlyName` and `PhoneNumber`, a page at a time."""
    state = current_state()
    args = request.args
    size = numbers.page_size(args)
    page = int(args["Page"]) if args.get("Page", "").isdigit() else 0
    pattern = None
    if args.get("PhoneNumber"):
        try:
            pattern = digit_pattern(args["PhoneNumber"])
        except ValueError as error:
            raise numbers.invalid(f"PhoneNumber: {error}") from None
    token = PAGE_TOKEN.match(args.get("PageToken", ""))
    start = page * size
    # One row more than the page tells whether there is a next one.
    found = state.store.page_numbers(
        args.get("FriendlyName"),
        pattern,
        after_id=int(token[1]) if token else None,
        offset=start,
        limit=size + 1,
    )
    records, has_more = found[:size], len(found) > size

    filters = {k: args[k] for k in ("FriendlyName", "PhoneNumber") if args.get(k)}
    base = request.path

    def page_uri(page_number: int, page_token: str | None = None) -> str:
        query = {**filters, "PageSize": size, "Page": page_number}
        if page_token:
            query["PageToken"] = page_token
        return f"{base}?{urlencode(query)}"

    return jsonify(
        end=start + max(len(records) - 1, 0),
        first_page_uri=page_uri(0),
        incoming_phone_numbers=[render.incoming_number(n, account_sid) for n in records],
        next_page_uri=page_uri(page + 1, f"PT{records[-1].id}") if has_more and records else None,
        page=page,
        page_size=size,
        previous_page_uri=page_uri(page - 1) if page > 0 else None,
        start=start,
        uri=page_uri(page, token[0] if token else None),
    )


@bp.post("/IncomingPhoneNumbers.json")
def buy_number(account_sid: str) -> tuple[Response, int]:
    """Buy a number by `PhoneNumber` or `AreaCode` and configure it."""
    state = current_state()
    bought = numbers.purchase(state.store, state.pool_size, request.form)
    return created(render.incoming_number(bought, account_sid))


@bp.get("/IncomingPhoneNumbers/<sid>.json")
def fetch_number(account_sid: str, sid: str) -> Response:
    """Return one owned number."""
    number = current_state().store.get_number(sid)
    if number is None:
        raise not_found("IncomingPhoneNumber", sid)
    return jsonify(render.incoming_number(number, account_sid))


@bp.post("/IncomingPhoneNumbers/<sid>.json")
def update_number(account_sid: str, sid: str) -> Response:
    """Change an owned number's friendly name, URLs and methods."""
    state = current_state()
    friendly_name, settings = numbers.parse_number_settings(request.form)
    before = state.store.get_number(sid)
    settings.update(emergency.emergency_settings(before, request.form))
    number = state.store.update_number(sid, friendly_name, settings)
    if before is None or number is None:
        raise not_found("IncomingPhoneNumber", sid)
    emergency.schedule(number)
    record_number_change(
        state,
        before,
        number,
        actor_type="account",
        actor_sid=account_sid,
        source="api",
        description=f"Phone number {number.phone_number} updated through the API",
    )
    return jsonify(render.incoming_number(number, account_sid))


@bp.delete("/IncomingPhoneNumbers/<sid>.json")
def release_number(account_sid: str, sid: str) -> tuple[str, int]:
    """Release an owned number back to the pool, unless its emergency address is registered."""
    store = current_state().store
    number = store.get_number(sid)
    if number is not None:
        emergency.refuse_release(number)
    if not store.release_number(sid):
        raise not_found("IncomingPhoneNumber", sid)
    return "", 204


def sending_number(from_: str, code: int, needs_sms: bool = False) -> str | None:
    """Return the SID of the owned number `from_` (None for Twilio's magic test sender).

    Raises:
        TwilioError: the account does not own `from_` (or it cannot send messages).
    """
    if from_ == MAGIC_AVAILABLE:
        return None
    owned = next((n for n in current_state().store.list_numbers() if n.phone_number == from_), None)
    if owned is None or (needs_sms and not owned.sms):
        raise numbers.invalid(f"The From phone number {from_} is not a number of this account.", code)
    return owned.sid


def required(name: str, code: int) -> str:
    """Return a required form parameter.

    Raises:
        TwilioError: the parameter is missing or empty.
    """
    value = request.form.get(name, "").strip()
    if not value:
        raise numbers.invalid(f"A '{name}' parameter is required.", code)
    return value


@bp.post("/Calls.json")
def create_call(account_sid: str) -> tuple[Response, int]:
    """Queue an outbound call from an owned number."""
    to = required("To", errors.CALL_TO_REQUIRED)
    from_ = required("From", errors.CALL_FROM_REQUIRED)
    if not any(request.form.get(k) for k in ("Url", "Twiml", "ApplicationSid")):
        raise numbers.invalid(
            "A 'Url', 'Twiml' or 'ApplicationSid' parameter is required.", errors.CALL_URL_REQUIRED
        )
    if not E164.match(to) and not to.startswith(("client:", "sip:")):
        raise numbers.invalid(f"The 'To' number {to} is not a valid phone number.", errors.INVALID_TO)
    phone_number_sid = sending_number(from_, errors.CALL_FROM_NOT_OWNED)
    sid = new_sid("CA")
    call = render.call(sid, account_sid, to, from_, phone_number_sid, utc_now())
    state = current_state()
    state.store.save_record("calls", sid, call)
    called = next((n for n in state.store.list_numbers() if n.phone_number == to), None)
    if called is not None:
        voice.ring_in_background(state, call, called)
    return created(call)


@bp.get("/Calls/<sid>.json")
def fetch_call(account_sid: str, sid: str) -> Response:
    """Return one call."""
    call = current_state().store.get_record("calls", sid)
    if call is None:
        raise not_found("Call", sid)
    return jsonify(call)


@bp.post("/Messages.json")
def create_message(account_sid: str) -> tuple[Response, int]:
    """Queue an outbound SMS from an owned, SMS-capable number."""
    to = required("To", errors.MESSAGE_TO_REQUIRED)
    from_ = required("From", errors.MESSAGE_FROM_REQUIRED)
    body = required("Body", errors.MESSAGE_BODY_REQUIRED)
    if not E164.match(to):
        raise numbers.invalid(f"The 'To' number {to} is not a valid phone number.", errors.INVALID_TO)
    sending_number(from_, errors.MESSAGE_FROM_NOT_OWNED, needs_sms=True)
    sid = new_sid("SM")
    message = render.message(sid, account_sid, to, from_, body, utc_now())
    current_state().store.save_record("messages", sid, message)
    return created(message)
