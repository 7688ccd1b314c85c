"""The Calls and Messages lists, with Twilio's filters (`To`, `From`, `Status`, dates with `<`/`>`), and a
call's events (the webhook requests Twilio made during it), under `/2010-04-01/Accounts/{AccountSid}/`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox.monitor import parse_date
from webapp.sandbox.paging import v2010_page
from webapp.sandbox.state import current_state

bp = Blueprint("traffic", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")

UNTIL_THEN_CREATED = ("start_time", "date_sent")
"""Dates a record does not have yet while queued; filters read its creation instead."""


def record_time(record: Mapping[str, Any], field: str) -> datetime | None:
    """Return the record's RFC 2822 date `field`; a queued call's start and an unsent message's sending
    fall back to their creation."""
    raw = record.get(field) or (record.get("date_created") if field in UNTIL_THEN_CREATED else None)
    return parsedate_to_datetime(raw) if raw else None


def date_filtered(
    records: list[dict[str, Any]], param: str, field: str, args: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Apply `param` (that day, or that moment), `param<` (on or before) and `param>` (on or after)."""
    for suffix in ("", "<", ">"):
        raw = args.get(param + suffix)
        if not raw:
            continue
        moment = parse_date(param + suffix, raw)
        whole_day = len(raw) == 10
        upper = moment + timedelta(days=1) - timedelta(seconds=1) if whole_day else moment

        def keep(
            record: dict[str, Any], suffix: str = suffix, moment: datetime = moment, upper: datetime = upper
        ) -> bool:
            when = record_time(record, field)
            if when is None:
                return False
            if suffix == "<":
                return when <= upper
            if suffix == ">":
                return when >= moment
            return moment <= when <= upper

        records = [record for record in records if keep(record)]
    return records


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
    """List calls, newest first, by `To`, `From`, `Status`, `ParentCallSid`, `StartTime`, `EndTime`."""
    args = request.args
    fields = {"To": "to", "From": "from", "Status": "status", "ParentCallSid": "parent_call_sid"}
    calls, filters = field_filtered(current_state().store.list_records("calls"), fields, args)
    calls = date_filtered(calls, "StartTime", "start_time", args)
    calls = date_filtered(calls, "EndTime", "end_time", args)
    filters.update(date_params(args, "StartTime", "EndTime"))
    return jsonify(v2010_page("calls", calls, filters))


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
