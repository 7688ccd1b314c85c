"""Each call's start and end kept beside its record as sortable UTC text (`start_at`, `end_at`), so that the
Calls list reads a page through an index on the start, newest first, whatever the number of calls stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

UNTIL_THEN_CREATED = ("start_time", "date_sent")
"""Dates a record does not have yet while queued; filters read its creation instead."""


def record_time(record: Mapping[str, Any], field: str) -> datetime | None:
    """Return the record's RFC 2822 date `field`; a queued call's start and an unsent message's sending
    fall back to their creation."""
    raw = record.get(field) or (record.get("date_created") if field in UNTIL_THEN_CREATED else None)
    return parsedate_to_datetime(raw) if raw else None


def sortable(moment: datetime) -> str:
    """Return a time as UTC text that sorts as the time does (`YYYY-MM-DDThh:mm:ss`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def call_times(record: Mapping[str, Any]) -> tuple[str, str | None]:
    """Return the call's `start_at` (its creation while queued) and `end_at` (None before it ends)."""
    start, end = record_time(record, "start_time"), record_time(record, "end_time")
    if start is None:
        raise ValueError(f"Call {record.get('sid')} has neither a start nor a creation time.")
    return sortable(start), sortable(end) if end else None


def add_call_times(db: sqlite3.Connection) -> None:
    """Give a store made before the columns existed its calls' times, and index the start."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(calls)")}
    if "start_at" not in columns:
        db.execute("ALTER TABLE calls ADD COLUMN start_at TEXT NOT NULL DEFAULT ''")
        db.execute("ALTER TABLE calls ADD COLUMN end_at TEXT")
        records = [json.loads(row[0]) for row in db.execute("SELECT record FROM calls")]
        rows = [(*call_times(record), record["sid"]) for record in records]
        db.executemany("UPDATE calls SET start_at = ?, end_at = ? WHERE sid = ?", rows)
    db.execute("CREATE INDEX IF NOT EXISTS calls_by_start ON calls (start_at)")
