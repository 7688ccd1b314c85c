"""Monitor v1: the account's alerts (failed webhook requests) and events (who changed what), served under
`/v1/` from the same process, with Twilio's filters, ISO 8601 dates and v1 paging."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox.errors import NOT_FOUND, TwilioError
from webapp.sandbox.numbers import invalid
from webapp.sandbox.paging import v1_page
from webapp.sandbox.render import NUMBER_SETTING_DEFAULTS
from webapp.sandbox.state import SandboxState, current_state
from webapp.sandbox.store import OwnedNumber, new_sid, utc_now

bp = Blueprint("monitor", __name__, url_prefix="/v1")

MONITOR_ORIGIN = "https://monitor.twilio.com"
"""Where Twilio's alerts and events live; their `url` fields point there."""

ALERT_DETAIL_FIELDS = ("request_headers", "request_variables", "response_body", "response_headers")
"""What only a fetched alert shows, never a listed one."""

ERROR_MEANINGS = {
    "11200": "HTTP retrieval failure",
    "11205": "HTTP connection failure",
    "11210": "HTTP bad host name",
    "11215": "HTTP too many redirects",
    "11217": "HTTP 429: your endpoint is rate limiting Twilio",
}
"""The webhook error codes the sandbox raises (Twilio's error pages, see LIBRARY-NOTES.md)."""


def iso8601(moment: datetime) -> str:
    """Return a UTC time as Monitor writes it: `2015-07-30T20:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(name: str, raw: str) -> datetime:
    """Return a `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ` filter as a UTC time.

    Raises:
        TwilioError: neither form.
    """
    for form in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise invalid(f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, got {raw!r}.")


def in_date_range(records: list[dict[str, Any]], field: str, args: Mapping[str, str]) -> list[dict[str, Any]]:
    """Keep the records whose `field` is on or after `StartDate` and on or before `EndDate`."""
    start = parse_date("StartDate", args["StartDate"]) if args.get("StartDate") else None
    end = parse_date("EndDate", args["EndDate"]) if args.get("EndDate") else None
    if end is not None and len(args["EndDate"]) == 10:
        end = end.replace(hour=23, minute=59, second=59)
    kept = []
    for record in records:
        moment = parse_date(field, record[field])
        if (start is None or moment >= start) and (end is None or moment <= end):
            kept.append(record)
    return kept


def new_alert(
    state: SandboxState,
    *,
    error_code: str,
    resource_sid: str | None,
    request_url: str,
    request_method: str,
    reason: str,
    request_variables: Mapping[str, str] | None = None,
    response_status: int | None = None,
    response_body: str = "",
    when: datetime | None = None,
) -> dict[str, Any]:
    """Return an alert, as fetched, for a webhook request Twilio could not complete."""
    sid = new_sid("NO")
    moment = iso8601(when or utc_now())
    text = {"Msg": reason, "sourceComponent": "14100", "ErrorCode": error_code, "url": request_url}
    if response_status is not None:
        text["httpResponse"] = str(response_status)
    return {
        "account_sid": state.account_sid,
        "alert_text": urlencode(text),
        "api_version": "2010-04-01",
        "date_created": moment,
        "date_generated": moment,
        "date_updated": moment,
        "error_code": error_code,
        "log_level": "error",
        "more_info": f"https://www.twilio.com/docs/errors/{error_code}",
        "request_headers": None,
        "request_method": request_method,
        "request_url": request_url,
        "request_variables": urlencode(request_variables or {}),
        "resource_sid": resource_sid,
        "response_body": response_body,
        "response_headers": None,
        "service_sid": None,
        "sid": sid,
        "url": f"{MONITOR_ORIGIN}/v1/Alerts/{sid}",
    }


def number_settings(number: OwnedNumber) -> dict[str, Any]:
    """Return what a change of the number may touch: its friendly name and every setting."""
    return {"friendly_name": number.friendly_name, **NUMBER_SETTING_DEFAULTS, **number.settings}


def record_number_change(
    state: SandboxState,
    before: OwnedNumber,
    after: OwnedNumber,
    *,
    actor_type: str,
    actor_sid: str | None,
    source: str,
    description: str,
) -> dict[str, Any] | None:
    """Record a `phone-number.updated` event with the fields that changed; None when nothing did."""
    number_sid = after.sid
    old, new = number_settings(before), number_settings(after)
    changed = {
        key: {"previous": old[key], "updated": value} for key, value in new.items() if old[key] != value
    }
    if not changed:
        return None
    sid = new_sid("AE")
    event = {
        "account_sid": state.account_sid,
        "actor_sid": actor_sid,
        "actor_type": actor_type,
        "description": description,
        "event_data": {"resource_properties": changed},
        "event_date": iso8601(utc_now()),
        "event_type": "phone-number.updated",
        "resource_sid": number_sid,
        "resource_type": "phone-number",
        "sid": sid,
        "source": source,
        "source_ip_address": request.remote_addr,
        "url": f"{MONITOR_ORIGIN}/v1/Events/{sid}",
        "links": {
            "actor": None,
            "resource": f"https://api.twilio.com/2010-04-01/Accounts/{state.account_sid}"
            f"/IncomingPhoneNumbers/{number_sid}.json",
        },
    }
    state.store.save_record("events", sid, event)
    return event


def listed_alert(alert: dict[str, Any]) -> dict[str, Any]:
    """Return an alert as a list shows it: without the request and response details."""
    return {key: value for key, value in alert.items() if key not in ALERT_DETAIL_FIELDS}


def fetched(table: str, kind: str, sid: str) -> dict[str, Any]:
    """Return one stored alert or event.

    Raises:
        TwilioError: 404 when there is none with that SID.
    """
    record = current_state().store.get_record(table, sid)
    if record is None:
        raise TwilioError(404, NOT_FOUND, f"The requested resource {kind} {sid} was not found")
    return record


@bp.get("/Alerts")
def list_alerts() -> Response:
    """List the account's alerts, newest first, by `LogLevel`, `StartDate`, `EndDate`."""
    args = request.args
    alerts = in_date_range(current_state().store.list_records("alerts"), "date_generated", args)
    if args.get("LogLevel"):
        alerts = [alert for alert in alerts if alert["log_level"] == args["LogLevel"]]
    filters = {k: args[k] for k in ("LogLevel", "StartDate", "EndDate") if args.get(k)}
    return jsonify(v1_page("alerts", alerts, filters, listed_alert))


@bp.get("/Alerts/<sid>")
def fetch_alert(sid: str) -> Response:
    """Return one alert with the request and response details."""
    return jsonify(fetched("alerts", "Alert", sid))


@bp.get("/Events")
def list_events() -> Response:
    """List the account's events, newest first, by `ResourceSid`, `ActorSid`, `EventType`,
    `SourceIpAddress`, `StartDate`, `EndDate`."""
    args = request.args
    events = in_date_range(current_state().store.list_records("events"), "event_date", args)
    fields = {
        "ResourceSid": "resource_sid",
        "ActorSid": "actor_sid",
        "EventType": "event_type",
        "SourceIpAddress": "source_ip_address",
    }
    for param, field in fields.items():
        if args.get(param):
            events = [event for event in events if event[field] == args[param]]
    filters = {k: args[k] for k in (*fields, "StartDate", "EndDate") if args.get(k)}
    return jsonify(v1_page("events", events, filters))


@bp.get("/Events/<sid>")
def fetch_event(sid: str) -> Response:
    """Return one event."""
    return jsonify(fetched("events", "Event", sid))
