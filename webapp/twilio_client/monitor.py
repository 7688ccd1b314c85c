"""What the client returns from Twilio's Monitor API and a call's events: alerts, change events and
webhook requests, as small dataclasses of our own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


@dataclass(frozen=True)
class Alert:
    """A Monitor alert: something went wrong, e.g. Twilio could not fetch a webhook (error 11200).

    `response_body` and `request_variables` come only with `fetch_alert`, never from a list.
    """

    sid: str
    error_code: str | None
    log_level: str | None
    date_generated: datetime | None
    resource_sid: str | None
    request_url: str | None
    request_method: str | None
    alert_text: str | None
    response_body: str | None = None
    request_variables: str | None = None

    @property
    def reason(self) -> str | None:
        """The `Msg` part of the alert's text ("Connection refused", "Got HTTP 500 response"), if any."""
        values = parse_qs(self.alert_text or "").get("Msg")
        return values[0] if values else None

    @property
    def response_status(self) -> int | None:
        """The HTTP status the webhook answered with, when the alert's text says."""
        values = parse_qs(self.alert_text or "").get("httpResponse")
        return int(values[0]) if values and values[0].isdigit() else None

    @classmethod
    def from_resource(cls, resource: Any) -> Alert:
        """Copy the fields we use from twilio-python's AlertInstance (list or fetch)."""
        return cls(
            sid=resource.sid,
            error_code=_text(resource.error_code),
            log_level=_text(resource.log_level),
            date_generated=resource.date_generated or resource.date_created,
            resource_sid=_text(resource.resource_sid),
            request_url=_text(resource.request_url),
            request_method=_text(resource.request_method),
            alert_text=_text(resource.alert_text),
            response_body=_text(getattr(resource, "response_body", None)),
            request_variables=_text(getattr(resource, "request_variables", None)),
        )


@dataclass(frozen=True)
class MonitorEvent:
    """A Monitor event: who changed a resource, from where, when, and which fields (previous, updated)."""

    sid: str
    event_type: str | None
    event_date: datetime | None
    resource_sid: str | None
    actor_type: str | None
    actor_sid: str | None
    source: str | None
    description: str | None
    changes: dict[str, tuple[Any, Any]] = field(hash=False, default_factory=dict)

    @classmethod
    def from_resource(cls, resource: Any) -> MonitorEvent:
        """Copy the fields we use from twilio-python's EventInstance; `changes` from `event_data`."""
        data = resource.event_data
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                data = {}
        properties = (data or {}).get("resource_properties") if isinstance(data, Mapping) else None
        changes = {
            str(name): (change.get("previous"), change.get("updated"))
            for name, change in (properties or {}).items()
            if isinstance(change, Mapping)
        }
        return cls(
            sid=resource.sid,
            event_type=_text(resource.event_type),
            event_date=resource.event_date,
            resource_sid=_text(resource.resource_sid),
            actor_type=_text(resource.actor_type),
            actor_sid=_text(resource.actor_sid),
            source=_text(resource.source),
            description=_text(resource.description),
            changes=changes,
        )


@dataclass(frozen=True)
class CallEvent:
    """One request Twilio made to a webhook during a call, and the answer it got."""

    method: str | None
    url: str | None
    response_code: int | None
    duration_ms: int | None

    @classmethod
    def from_resource(cls, resource: Any) -> CallEvent:
        """Copy the fields we use from twilio-python's EventInstance of a call (`request`, `response`)."""
        request = resource.request if isinstance(resource.request, Mapping) else {}
        response = resource.response if isinstance(resource.response, Mapping) else {}
        code = response.get("response_code")
        duration = response.get("request_duration")
        return cls(
            method=_text(request.get("method")),
            url=_text(request.get("url")),
            response_code=int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
            duration_ms=int(duration)
            if isinstance(duration, int | str) and str(duration).isdigit()
            else None,
        )
