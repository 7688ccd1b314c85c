"""The Calls and Messages lists, with Twilio's filters (`To`, `From`, `Status`, dates with `<`/`>`), and a
call's events (the webhook requests Twilio made during it), under `/2010-04-01/Accounts/{AccountSid}/`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox.call_times import record_time
from webapp.sandbox.monitor import parse_date
from webapp.sandbox.paging import page_asked, read_page, v2010_answer, v2010_page
from webapp.sandbox.state import current_state
from webapp.sandbox.store import TimeRange

bp = Blueprint("traffic", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")


def date_range(param: str, args: Mapping[str, str]) -> TimeRange:
    """Return the times `param` (that day, or that moment), `param<` (on or before) and `param>` (on or
    after) leave, each end included, None where open."""
    lower: datetime | None = None
    upper: datetime | None = None
    for suffix in ("", "<", ">"):
        raw = args.get(param + suffix)
        if not raw:
            continue
        moment = parse_date(param + suffix, raw)
        last = moment + timedelta(days=1) - timedelta(seconds=1) if len(raw) == 10 else moment
        if suffix in ("", ">"):
            lower = moment if lower is None else max(lower, moment)
        if suffix in ("", "<"):
            upper = last if upper is None else min(upper, last)
    return lower, upper


def date_filtered(
    records: list[dict[str, Any]], param: str, field: str, args: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Keep the records whose `field` lies in `date_range(param, args)` (a record without it, if any)."""
    lower, upper = date_range(param, args)
    if lower is None and upper is None:
        return records

    def keep(record: dict[str, Any]) -> bool:
        when = record_time(record, field)
        return when is not None and (lower is None or when >= lower) and (upper is None or when <= upper)

    return [record for record in records if keep(record)]


def field_filtered(
    records: list[dict[str, Any]], fields: Mapping[str, str], args: Mapping[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Keep the records whose fields equal the given parameters; return them and the filters used."""
    used = {param: args[param] for param in fields if args.get(param)}
    for param, value in used.items():
        records = [record for record in records if str(record.get(fields[param])) == value]
    return records, used


def date_params(args: Mapping[str, str], *names: str) -> dict[str, str]:
    """Return the date filters given, to carry into the paging URIs."""
    return {name + s: args[name + s] for name in names for s in ("", "<", ">") if args.get(name + s)}


@bp.get("/Calls.json")
def list_calls(account_sid: str) -> Response:
    """List calls, newest start first (a queued call's creation), by `To`, `From`, `Status`,
    `ParentCallSid`, `StartTime`, `EndTime`; each page read from the store's index alone."""
    args = request.args
    fields = {"To": "to", "From": "from", "Status": "status", "ParentCallSid": "parent_call_sid"}
    filters = {param: args[param] for param in fields if args.get(param)}
    equal = {fields[param]: value for param, value in filters.items()}
    started, ended = date_range("StartTime", args), date_range("EndTime", args)
    asked = page_asked(args)
    page = read_page(
        asked,
        lambda offset, limit: current_state().store.page_calls(
            equal, started, ended, after_sid=asked.after, offset=offset, limit=limit
        ),
    )
    filters.update(date_params(args, "StartTime", "EndTime"))
    return jsonify(v2010_answer("calls", page, filters))


@bp.get("/Messages.json")
def list_messages(account_sid: str) -> Response:
    """List messages, newest first, by `To`, `From`, `DateSent`."""
    args = request.args
    fields = {"To": "to", "From": "from"}
    messages, filters = field_filtered(current_state().store.list_records("messages"), fields, args)
    messages = date_filtered(messages, "DateSent", "date_sent", args)
    filters.update(date_params(args, "DateSent"))
    return jsonify(v2010_page("messages", messages, filters))


@bp.get("/Calls/<call_sid>/Events.json")
def list_call_events(account_sid: str, call_sid: str) -> Response:
    """List the requests Twilio made to the account's webhooks during a call, and their answers."""
    stored = current_state().store.get_record("call_events", call_sid) or {"events": []}
    events = [{"sid": f"{call_sid}-{i}", **event} for i, event in enumerate(stored["events"])]
    return jsonify(v2010_page("events", events, {}, lambda e: {k: v for k, v in e.items() if k != "sid"}))
