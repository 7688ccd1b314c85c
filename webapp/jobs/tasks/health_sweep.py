"""The health sweep: one walk of the account's alerts since the last sweep, recorded per number.

Twilio's alerts cannot be filtered by resource, and reading them per number would be one walk per number:
the sweep reads the account's alerts once (pages of 1,000), and, only when some concern calls, the account's
calls over the same period once, to learn which number each call reached. Each number with failed webhook
requests gets their count in the window, the last one's error code and time (`webhook_failures`,
`webhook_failure_code`, `webhook_failed_at`); the console marks it "Webhook failing" while that time is
within `WEBHOOK_FAILURE_WINDOW_HOURS`.

It is an ordinary job: "Check health" on the numbers page and `numbers check-health` start it, and the
workers start it every SWEEP_INTERVAL_SECONDS through `start_recurring_sweep` (webapp/jobs/recurring.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from rq import Retry

from webapp.extensions import db
from webapp.jobs.enqueue.health import enqueue_health_sweep
from webapp.jobs.running.runner import run_activity
from webapp.jobs.running.tracking import report_progress
from webapp.models import Activity, ActivityKind, ActivityStatus, PhoneNumber
from webapp.models.base import utcnow
from webapp.twilio_client import Alert, get_client

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 15 * 60
"""How often the workers sweep the account's new alerts: each sweep reads only what came since the last."""

CHUNK = 1000
"""Numbers looked up per query."""

CALL_SLACK = timedelta(hours=1)
"""How long before the first alert the calls walk starts: an alert can come some time after its call began."""


@dataclass
class Failures:
    """A number's failed webhook requests in this sweep: how many, and the latest one's code and time."""

    count: int = 0
    code: str | None = None
    at: datetime | None = None

    def add(self, alert: Alert) -> None:
        """Count one alert, keeping the latest's code and time."""
        self.count += 1
        if alert.date_generated is not None and (self.at is None or alert.date_generated > self.at):
            self.at, self.code = alert.date_generated, alert.error_code


def sweep_health(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: read the account's new alerts and record each number's failing webhook requests."""
    return run_activity(activity_id, sweep)


def start_recurring_sweep() -> str:
    """The recurring entry: start a sweep (its Activity, then its job), or find the one in flight; return
    its Activity's id."""
    return str(enqueue_health_sweep(None).id)


def last_read() -> tuple[datetime | None, set[str]]:
    """Return where the latest successful sweep stopped reading (None before the first), and the SIDs of
    the alerts it read in that last second, which the next one reads again (Twilio's dates are to the
    second) and skips."""
    query = (
        db.select(Activity)
        .where(Activity.kind == ActivityKind.HEALTH_SWEEP, Activity.status == ActivityStatus.SUCCEEDED)
        .order_by(Activity.finished_at.desc())
        .limit(1)
    )
    latest = db.session.scalars(query).first()
    result = (latest.result or {}) if latest else {}
    read_until = result.get("read_until")
    return (datetime.fromisoformat(read_until) if read_until else None), set(result.get("boundary_sids", []))


def sweep(activity: Activity) -> dict[str, Any]:
    """Read the alerts since the last sweep (at most the window) and record them on their numbers."""
    client = get_client()
    now = utcnow().replace(microsecond=0)
    window_start = now - timedelta(hours=current_app.config["WEBHOOK_FAILURE_WINDOW_HOURS"])
    read_until, seen = last_read()
    since = max(filter(None, (read_until, window_start)))
    alerts = [a for a in client.list_alerts(since=since) if a.resource_sid and a.sid not in seen]
    report_progress(activity, 0, len(alerts))
    by_call = {a.resource_sid for a in alerts if a.resource_sid and a.resource_sid.startswith("CA")}
    call_to: dict[str, str] = {}
    if by_call:
        first = min((a.date_generated for a in alerts if a.date_generated), default=since)
        calls = client.list_calls(started_after=first - CALL_SLACK, limit=None)
        call_to = {call.sid: call.to for call in calls if call.sid in by_call}
    failures: dict[str, Failures] = {}
    for alert in alerts:
        assert alert.resource_sid is not None, "alerts without a resource were left out above"
        key = call_to.get(alert.resource_sid, alert.resource_sid)
        failures.setdefault(key, Failures()).add(alert)
    failing = record_failures(failures, window_start)
    report_progress(activity, len(alerts), len(alerts))
    logger.info(
        "Activity %s: %d alerts since %s, %d numbers failing", activity.id, len(alerts), since, failing
    )
    boundary = [a.sid for a in alerts if a.date_generated is not None and a.date_generated >= now]
    return {
        "read_until": now.isoformat(),
        "boundary_sids": boundary,
        "alerts": len(alerts),
        "numbers_failing": failing,
    }


def record_failures(failures: dict[str, Failures], window_start: datetime) -> int:
    """Record each number's failures (keyed by its SID or E.164); return how many numbers had any."""
    recorded = 0
    keys = list(failures)
    for first in range(0, len(keys), CHUNK):
        chunk = keys[first : first + CHUNK]
        for row in numbers_named(chunk):
            found = failures.get(row.twilio_sid) or failures.get(row.e164)
            if found is None:
                continue
            still_failing = row.webhook_failing(window_start)
            row.webhook_failures = (row.webhook_failures if still_failing else 0) + found.count
            if found.at is not None and (row.webhook_failed_at is None or found.at > row.webhook_failed_at):
                row.webhook_failed_at, row.webhook_failure_code = found.at, found.code
            recorded += 1
        db.session.commit()
    return recorded


def numbers_named(keys: Iterable[str]) -> list[PhoneNumber]:
    """Return the numbers whose Twilio SID or E.164 is one of `keys`."""
    keys = list(keys)
    sids = [key for key in keys if key.startswith("PN")]
    e164s = [key for key in keys if key.startswith("+")]
    query = db.select(PhoneNumber).where(PhoneNumber.twilio_sid.in_(sids) | PhoneNumber.e164.in_(e164s))
    return list(db.session.scalars(query))
