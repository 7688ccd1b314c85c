"""The sandbox's state in a small SQLite file: owned numbers, calls, messages, alerts and events.

Each operation opens its own connection, so the store is safe to share between the threaded server's
request threads; purchases run in one `BEGIN IMMEDIATE` transaction and a unique index on the phone
number, so no number is ever handed out twice, even by two sandboxes sharing one file.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from webapp.sandbox.call_times import add_call_times, call_times, sortable
from webapp.sandbox.pool import MAGIC_AVAILABLE, PoolNumber

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS incoming_numbers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    phone_number TEXT NOT NULL,
    area_code TEXT NOT NULL,
    sms INTEGER NOT NULL,
    friendly_name TEXT NOT NULL,
    settings TEXT NOT NULL,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_owner_per_number ON incoming_numbers (phone_number)
    WHERE phone_number != '{MAGIC_AVAILABLE}';
CREATE TABLE IF NOT EXISTS calls (
    sid TEXT PRIMARY KEY, record TEXT NOT NULL, start_at TEXT NOT NULL DEFAULT '', end_at TEXT
);
CREATE TABLE IF NOT EXISTS messages (sid TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (sid TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (sid TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS call_events (sid TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS addresses (sid TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emergency_changes (sid TEXT PRIMARY KEY, record TEXT NOT NULL);
"""

RECORD_TABLES = ("calls", "messages", "alerts", "events", "call_events", "addresses", "emergency_changes")
"""Tables of JSON records keyed by SID: calls, messages, Monitor alerts and events, each call's webhook
requests (`call_events`, keyed by the call's SID), Addresses, and the emergency-address registrations under
way (`emergency_changes`, keyed by the number's SID; `emergency.py`). Calls also keep their times in columns
(`call_times`)."""


def new_sid(prefix: str) -> str:
    """Return a fresh Twilio-style SID: the two-letter prefix and 32 hex digits."""
    return prefix + uuid.uuid4().hex


def utc_now() -> datetime:
    """Return the current time in UTC, to the second, as Twilio's dates carry it."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class OwnedNumber:
    """An IncomingPhoneNumber: a number the account bought and has not released."""

    id: int
    sid: str
    phone_number: str
    area_code: str
    sms: bool
    friendly_name: str
    settings: dict[str, Any]
    date_created: datetime
    date_updated: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OwnedNumber:
        """Build the number from its database row."""
        return cls(
            id=row["id"],
            sid=row["sid"],
            phone_number=row["phone_number"],
            area_code=row["area_code"],
            sms=bool(row["sms"]),
            friendly_name=row["friendly_name"],
            settings=json.loads(row["settings"]),
            date_created=datetime.fromisoformat(row["date_created"]),
            date_updated=datetime.fromisoformat(row["date_updated"]),
        )


def check_record_table(table: str) -> None:
    """Raise ValueError unless `table` is one of `RECORD_TABLES` (its name goes into SQL)."""
    if table not in RECORD_TABLES:
        raise ValueError(f"No table {table!r} for records.")


TimeRange = tuple[datetime | None, datetime | None]
"""Times from and to (each included), either open."""


def row_columns(table: str) -> tuple[str, ...]:
    """The columns a record of `table` is stored in, besides its SID."""
    return ("record", "start_at", "end_at") if table == "calls" else ("record",)


def row_values(table: str, record: dict[str, Any]) -> tuple[Any, ...]:
    """The values of `row_columns(table)` for `record`."""
    return (json.dumps(record), *call_times(record)) if table == "calls" else (json.dumps(record),)


class Store:
    """The sandbox's SQLite file; every method is one short transaction."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One writer at a time inside this process; SQLite's own locking covers other processes.
        self._write_lock = threading.Lock()
        with self._transaction() as db:
            db.executescript(SCHEMA)
        with self._transaction(write=True) as db:
            add_call_times(db)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            if not write:
                yield db
                return
            with self._write_lock:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        finally:
            db.close()

    def owned_phone_numbers(self) -> set[str]:
        """Return the phone numbers the account owns now."""
        with self._transaction() as db:
            return {row[0] for row in db.execute("SELECT phone_number FROM incoming_numbers")}

    def buy_first_available(
        self, candidates: Sequence[PoolNumber], friendly_name: str | None, settings: dict[str, Any]
    ) -> OwnedNumber | None:
        """Buy the first of `candidates` nobody owns; None if all are owned.

        `friendly_name` None means Twilio's default, the formatted number.
        """
        with self._transaction(write=True) as db:
            owned = {row[0] for row in db.execute("SELECT phone_number FROM incoming_numbers")}
            choice = next(
                (c for c in candidates if c.phone_number == MAGIC_AVAILABLE or c.phone_number not in owned),
                None,
            )
            if choice is None:
                return None
            now = utc_now().isoformat()
            db.execute(
                "INSERT INTO incoming_numbers (sid, phone_number, area_code, sms, friendly_name, settings,"
                " date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_sid("PN"),
                    choice.phone_number,
                    choice.area_code,
                    int(choice.sms),
                    choice.friendly_name if friendly_name is None else friendly_name,
                    json.dumps(settings),
                    now,
                    now,
                ),
            )
            row = db.execute("SELECT * FROM incoming_numbers WHERE id = last_insert_rowid()").fetchone()
            return OwnedNumber.from_row(row)

    def add_numbers(self, numbers: Iterable[tuple[str, str, dict[str, Any]]]) -> list[str]:
        """Record numbers as owned in one transaction, outside any pool, to set up a large account:
        `(phone number, friendly name, settings)` each, the number `+1` and ten digits. Return their SIDs."""
        now = utc_now().isoformat()
        rows = [
            (new_sid("PN"), phone, phone[2:5], 1, name, json.dumps(settings), now, now)
            for phone, name, settings in numbers
        ]
        with self._transaction(write=True) as db:
            db.executemany(
                "INSERT INTO incoming_numbers (sid, phone_number, area_code, sms, friendly_name, settings,"
                " date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return [row[0] for row in rows]

    def get_number(self, sid: str) -> OwnedNumber | None:
        """Return the owned number with this SID, or None (never bought, or released)."""
        with self._transaction() as db:
            row = db.execute("SELECT * FROM incoming_numbers WHERE sid = ?", (sid,)).fetchone()
        return OwnedNumber.from_row(row) if row else None

    def update_number(
        self, sid: str, friendly_name: str | None, settings: dict[str, Any]
    ) -> OwnedNumber | None:
        """Change the number's friendly name (unless None) and merge `settings`; None if not owned."""
        with self._transaction(write=True) as db:
            row = db.execute("SELECT * FROM incoming_numbers WHERE sid = ?", (sid,)).fetchone()
            if row is None:
                return None
            merged = {**json.loads(row["settings"]), **settings}
            db.execute(
                "UPDATE incoming_numbers SET friendly_name = ?, settings = ?, date_updated = ? WHERE sid = ?",
                (
                    row["friendly_name"] if friendly_name is None else friendly_name,
                    json.dumps(merged),
                    utc_now().isoformat(),
                    sid,
                ),
            )
            row = db.execute("SELECT * FROM incoming_numbers WHERE sid = ?", (sid,)).fetchone()
            return OwnedNumber.from_row(row)

    def release_number(self, sid: str) -> bool:
        """Release the number back to the pool; False if it was not owned."""
        with self._transaction(write=True) as db:
            return db.execute("DELETE FROM incoming_numbers WHERE sid = ?", (sid,)).rowcount == 1

    def list_numbers(self, friendly_name: str | None = None) -> list[OwnedNumber]:
        """Return the owned numbers in purchase order, optionally only those with this friendly name."""
        query = "SELECT * FROM incoming_numbers"
        args: tuple[str, ...] = ()
        if friendly_name is not None:
            query, args = query + " WHERE friendly_name = ?", (friendly_name,)
        with self._transaction() as db:
            return [OwnedNumber.from_row(row) for row in db.execute(query + " ORDER BY id", args)]

    def page_numbers(
        self,
        friendly_name: str | None,
        phone_pattern: re.Pattern[str] | None,
        *,
        after_id: int | None,
        offset: int,
        limit: int,
    ) -> list[OwnedNumber]:
        """Return up to `limit` owned numbers in purchase order, filtered like Twilio's list: by exact
        friendly name and by `phone_pattern` on the digits; after the row id `after_id` (a page token) or
        else from `offset`. Paged in SQL, so a page of a large account costs its own rows only."""
        where = ["id > ?"]
        args: list[int | str] = [after_id or 0]
        if friendly_name is not None:
            where.append("friendly_name = ?")
            args.append(friendly_name)
        with self._transaction() as db:
            if phone_pattern is not None:
                db.create_function("matches_digits", 1, lambda number: bool(phone_pattern.search(number[1:])))
                where.append("matches_digits(phone_number)")
            query = f"SELECT * FROM incoming_numbers WHERE {' AND '.join(where)} ORDER BY id LIMIT ? OFFSET ?"
            rows = db.execute(query, (*args, limit, 0 if after_id is not None else offset)).fetchall()
        return [OwnedNumber.from_row(row) for row in rows]

    def save_record(self, table: str, sid: str, record: dict[str, Any]) -> None:
        """Store a record (`table` is one of `RECORD_TABLES`) as the JSON Twilio answers with."""
        self.save_records(table, [(sid, record)])

    def save_records(self, table: str, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Store (SID, record) pairs in one transaction, replacing any with the same SID."""
        check_record_table(table)
        columns = ("sid", *row_columns(table))
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        rows = [(sid, *row_values(table, record)) for sid, record in records]
        with self._transaction(write=True) as db:
            db.executemany(statement, rows)

    def update_record(self, table: str, sid: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Merge `changes` into a stored record and return it; None if there is no such record."""
        check_record_table(table)
        with self._transaction(write=True) as db:
            row = db.execute(f"SELECT record FROM {table} WHERE sid = ?", (sid,)).fetchone()
            if row is None:
                return None
            record = {**json.loads(row[0]), **changes}
            assigned = ", ".join(f"{column} = ?" for column in row_columns(table))
            db.execute(f"UPDATE {table} SET {assigned} WHERE sid = ?", (*row_values(table, record), sid))
            return record

    def list_records(self, table: str) -> list[dict[str, Any]]:
        """Return every record of `table`, newest first (as Twilio lists calls, messages and alerts)."""
        check_record_table(table)
        with self._transaction() as db:
            return [
                json.loads(row[0]) for row in db.execute(f"SELECT record FROM {table} ORDER BY rowid DESC")
            ]

    def page_calls(
        self,
        equal: Mapping[str, str],
        started: TimeRange,
        ended: TimeRange,
        *,
        after_sid: str | None,
        offset: int,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Return up to `limit` calls, newest start first, whose fields equal `equal` and whose start and
        end lie in their ranges (an end needed excludes a call not ended); after the call `after_sid` (a
        page token: none if it is gone) or else from `offset`. Read through the index on the start, so a
        page costs its own rows, not the store's."""
        where, args = ["1"], []
        for field, value in equal.items():
            where.append("json_extract(record, ?) = ?")
            args += [f"$.{field}", value]
        for column, (lower, upper) in (("start_at", started), ("end_at", ended)):
            if lower is not None:
                where.append(f"{column} >= ?")
                args.append(sortable(lower))
            if upper is not None:
                where.append(f"{column} <= ?")
                args.append(sortable(upper))
        if after_sid is not None:
            where.append("(start_at, rowid) < (SELECT start_at, rowid FROM calls WHERE sid = ?)")
            args.append(after_sid)
        query = (
            f"SELECT record FROM calls WHERE {' AND '.join(where)} "
            "ORDER BY start_at DESC, rowid DESC LIMIT ? OFFSET ?"
        )
        with self._transaction() as db:
            rows = db.execute(query, (*args, limit, 0 if after_sid is not None else offset)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def get_record(self, table: str, sid: str) -> dict[str, Any] | None:
        """Return the stored record, or None."""
        check_record_table(table)
        with self._transaction() as db:
            row = db.execute(f"SELECT record FROM {table} WHERE sid = ?", (sid,)).fetchone()
        return json.loads(row[0]) if row else None

    def delete_record(self, table: str, sid: str) -> bool:
        """Delete a stored record; False if there was none."""
        check_record_table(table)
        with self._transaction(write=True) as db:
            return db.execute(f"DELETE FROM {table} WHERE sid = ?", (sid,)).rowcount == 1

    def clear(self) -> None:
        """Forget every owned number and record: all numbers return to the pool."""
        with self._transaction(write=True) as db:
            for table in ("incoming_numbers", *RECORD_TABLES):
                db.execute(f"DELETE FROM {table}")
