"""The health-check job: read everything Twilio knows about one number into its Health panel.

Reads run in a job, not in the page's request: a panel is five to ten Twilio requests (the number, its
calls, messages and events, the account's alerts, the latest alerts' details), each bounded by the client's
timeouts and retries, which together can take far longer than a page may. The job stores the result with
its time (`health_cache`); the page shows it at once and a refresh re-reads it. When Twilio cannot be
reached (outage, open breaker) the job keeps the last snapshot, notes when and why, and RQ retries.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from rq import Retry

from webapp.extensions import db
from webapp.jobs.reads.health_cache import note_unreadable, save_health
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import TRANSIENT, run_activity
from webapp.jobs.running.twilio_state import GONE_MESSAGE, expected_for, record_gone, record_webhook_state
from webapp.jobs.tasks.webhooks import target_number
from webapp.models import Activity, PhoneNumber
from webapp.models.base import utcnow
from webapp.twilio_client import Alert, NotFound, TwilioClient, get_client

logger = logging.getLogger(__name__)

RECENT = 20
"""Calls, messages and changes the panel lists."""

CALLS_MATCHED = 100
"""Latest calls to the number whose SIDs mark an alert as the number's."""

ALERT_DAYS = 7
"""How far back the panel reads the account's alerts."""

ALERT_DETAILS = 5
"""Latest matching alerts fetched one by one for what the webhook answered."""


def refresh_health(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: read the Activity's number's health from Twilio into its panel."""
    return run_activity(activity_id, check_health)


def check_health(activity: Activity) -> dict[str, Any]:
    """Read and store the number's health; on a transient failure keep the last one with a note."""
    row = target_number(activity)
    try:
        snapshot = read_health(get_client(), row)
    except TRANSIENT as error:
        note_unreadable(row.id, f"Twilio could not be read: {error.message}", utcnow())
        raise
    except NotFound as error:
        record_gone(row)
        db.session.commit()
        raise JobFailed(f"{row.formatted} ({row.twilio_sid}): {GONE_MESSAGE}") from error
    db.session.commit()
    save_health(row.id, snapshot)
    return {"failed_requests": len(snapshot["failed_requests"]), "calls": len(snapshot["calls"])}


def iso(moment: datetime | None) -> str | None:
    """Return a time as ISO 8601 text, for the JSON snapshot."""
    return moment.isoformat() if moment else None


def failed_request(alert: Alert) -> dict[str, Any]:
    """Return an alert as the panel lists it."""
    return {
        "sid": alert.sid,
        "code": alert.error_code,
        "at": iso(alert.date_generated),
        "url": alert.request_url,
        "method": alert.request_method,
        "reason": alert.reason,
        "response_status": alert.response_status,
        "response_body": alert.response_body,
        "resource_sid": alert.resource_sid,
    }


def read_health(client: TwilioClient, row: PhoneNumber) -> dict[str, Any]:
    """Read the number, its traffic, its changes and the alerts concerning it; update its webhook state.

    Alerts cannot be filtered by resource at Twilio: an alert is the number's when its `resource_sid` is the
    number's SID or one of its calls' or messages' SIDs.
    """
    now = utcnow()
    number = client.fetch_number(row.twilio_sid)
    expected = expected_for(row.business)
    drift = record_webhook_state(row, number, expected)
    calls = client.list_calls(to=row.e164, limit=CALLS_MATCHED)
    messages = client.list_messages(row.e164, limit=RECENT)
    changes = client.list_events(row.twilio_sid, limit=RECENT)
    own = {row.twilio_sid, *(call.sid for call in calls), *(message.sid for message in messages)}
    alerts = [a for a in client.list_alerts(since=now - timedelta(days=ALERT_DAYS)) if a.resource_sid in own]
    detailed = [client.fetch_alert(alert.sid) for alert in alerts[:ALERT_DETAILS]] + alerts[ALERT_DETAILS:]
    return {
        "read_at": now.isoformat(),
        "number": row.e164,
        "configuration": {
            "fields": expected.compare(number),
            "drift": [difference.phrase() for difference in drift],
            "drifted_fields": [difference.field for difference in drift],
            "checked_at": iso(row.webhook_checked_at),
        },
        "failed_requests": [failed_request(alert) for alert in detailed],
        "calls": [
            {
                "sid": call.sid,
                "direction": call.direction,
                "from": call.from_,
                "status": call.status,
                "duration": call.duration,
                "start": iso(call.start_time),
            }
            for call in calls[:RECENT]
        ],
        "messages": [
            {"sid": m.sid, "from": m.from_, "status": m.status, "at": iso(m.date_created)} for m in messages
        ],
        "changes": [
            {
                "sid": event.sid,
                "at": iso(event.event_date),
                "actor_type": event.actor_type,
                "actor_sid": event.actor_sid,
                "source": event.source,
                "description": event.description,
                "fields": {name: list(values) for name, values in event.changes.items()},
            }
            for event in changes
        ],
    }
