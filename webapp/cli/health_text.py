"""The Health panel as plain text, for `flask --app wsgi numbers health`: the CLI owns the words, the
job layer's reads (`health_report`) give the facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webapp.jobs.reads.health_report import (
    ago,
    change_sentence,
    configuration_rows,
    drift_cause,
    meaning,
    parse_time,
)


def section(title: str, rows: list[str], when_empty: str = "  None.") -> list[str]:
    """A titled section of the panel: its rows, or a line saying there are none."""
    return [title, *(rows or [when_empty])]


def health_text(number: str, snapshot: dict[str, Any] | None, now: datetime) -> str:
    """Return the Health panel as plain text: when it was read, then each section."""
    if not snapshot or "read_at" not in snapshot:
        lines = [f"Health of {number}: not read from Twilio yet (run: numbers health {number} --refresh)."]
        if snapshot and snapshot.get("unreadable"):
            lines.append(f"Last attempt: {snapshot['unreadable']['message']}")
        return "\n".join(lines)
    read_at = parse_time(snapshot["read_at"])
    lines = [f"Health of {number}, as of {read_at:%Y-%m-%d %H:%M} UTC ({ago(read_at, now)})"]
    if unreadable := snapshot.get("unreadable"):
        lines.append(f"Note: {unreadable['message']} (tried {ago(parse_time(unreadable['at']), now)}).")
    sections = (configuration_lines, failed_request_lines, call_lines, message_lines, change_lines)
    for section in sections:
        lines += ["", *section(snapshot, now)]
    return "\n".join(lines)


def configuration_lines(snapshot: dict[str, Any], now: datetime) -> list[str]:
    """Every managed field at Twilio against what is expected, and the drift with its cause."""
    drift = snapshot["configuration"]["drift"]
    lines = ["Configuration"]
    for row in configuration_rows(snapshot):
        mark = "  DIFFERS" if row["differs"] else ""
        lines.append(
            f"  {row['label']}: {row['actual'] or 'empty'}, expected {row['expected'] or 'empty'}{mark}"
        )
    lines.append(f"  {'Drifted: ' + '; '.join(drift) if drift else 'In sync.'}")
    if cause := drift_cause(snapshot, now):
        lines.append(f"  Cause: {cause}.")
    return lines


def failed_request_lines(snapshot: dict[str, Any], now: datetime) -> list[str]:
    """Each failed webhook request: when, the error code and its meaning, the URL and what came back."""
    failed = snapshot["failed_requests"]
    rows = [
        f"  {f['at'][:16]} {f['code']} {meaning(f['code'])}: {f['method'] or ''} {f['url']}"
        f" -> {f['reason'] or 'no answer'}"
        for f in failed
    ]
    return section(f"Failed webhook requests ({len(failed)})", rows)


def call_lines(snapshot: dict[str, Any], now: datetime) -> list[str]:
    """The recent calls: when, direction, caller, status and duration."""
    calls = snapshot["calls"]
    rows = [
        f"  {(c['start'] or '')[:16]} {c['direction'] or ''} from {c['from']}: {c['status']},"
        f" {c['duration'] if c['duration'] is not None else '-'} s"
        for c in calls
    ]
    return section(f"Recent calls ({len(calls)})", rows)


def message_lines(snapshot: dict[str, Any], now: datetime) -> list[str]:
    """The recent messages: when, sender and status."""
    messages = snapshot["messages"]
    rows = [f"  {(m['at'] or '')[:16]} from {m['from']}: {m['status']}" for m in messages]
    return section(f"Recent messages ({len(messages)})", rows)


def change_lines(snapshot: dict[str, Any], now: datetime) -> list[str]:
    """Who changed the number, newest first."""
    rows = [f"  {change_sentence(c, now)}" for c in snapshot["changes"]]
    return section("Who changed it", rows, "  No changes recorded.")
