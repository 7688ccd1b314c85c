"""Bulk-load businesses, numbers and their provisioning activity into PostgreSQL with COPY.

Businesses are named by trade and a unique five-letter tag; two-thirds of them have a number; statuses
and area codes follow a realistic mix; one number in twenty has drifted and one in fifty is in error.
Businesses were created over the last three years, oldest first, and each number has the provision
Activity that bought it. Secondary indexes are dropped for the load and built again after it, which is
several times faster than maintaining them row by row (the trigram indexes most of all).
"""

from __future__ import annotations

import io
import json
import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, text

AREA_CODES = ("415", "212", "646", "312", "510", "617", "206", "303", "512", "305", "404", "702")
STATUSES = ("active",) * 7 + ("trial", "trial", "suspended", "cancelled")
CAPABILITIES = json.dumps({"voice": True, "sms": True, "mms": False, "fax": False})
TRADES = (
    "Bakery",
    "Dental",
    "Plumbing",
    "Salon",
    "Garage",
    "Florist",
    "Law Office",
    "Cafe",
    "Clinic",
    "Movers",
)
WEBHOOK_SEED = 7
"""Seeds the webhook statuses' draws, so every run has the same rows."""
HISTORY = timedelta(days=3 * 365)
"""How far back the oldest business was created."""

TABLES = ("businesses", "phone_numbers", "activities")
BUSINESS_COLUMNS = (
    "id",
    "name",
    "status",
    "contact_email",
    "preferred_area_code",
    "created_at",
    "updated_at",
)
NUMBER_COLUMNS = (
    "id",
    "business_id",
    "e164",
    "twilio_sid",
    "country",
    "area_code",
    "capabilities",
    "voice_url",
    "webhook_status",
    "created_at",
    "updated_at",
)
ACTIVITY_COLUMNS = (
    "id",
    "kind",
    "status",
    "business_id",
    "phone_number_id",
    "attempts",
    "created_at",
    "started_at",
    "finished_at",
)


def business_id(index: int) -> uuid.UUID:
    """A deterministic id for the business number `index`, so runs are comparable."""
    return uuid.UUID(int=index + 1)


def business_name(index: int) -> str:
    """`Bakery Kqzta`: a trade and a five-letter tag unique below 11.8 million (7919 is prime to 26**5)."""
    code, letters = index * 7919 % 26**5, []
    for _ in range(5):
        code, letter = divmod(code, 26)
        letters.append(chr(ord("a") + letter))
    return f"{TRADES[index % len(TRADES)]} {''.join(letters).capitalize()}"


def e164_for(index: int) -> str:
    """A unique +1 number for `index` (area code from the mix, then seven digits)."""
    area_code = AREA_CODES[index % len(AREA_CODES)]
    return f"+1{area_code}{2_000_000 + index // len(AREA_CODES):07d}"


def has_number(index: int) -> bool:
    return index % 3 != 2


def webhook_status_for(draw: float) -> str:
    """The webhook status for a uniform draw in [0, 1): independent of the area code, as in life."""
    if draw < 1 / 50:
        return "error"
    return "drifted" if draw < 1 / 50 + 1 / 20 else "in_sync"


def _copy(connection: Connection, table: str, columns: tuple[str, ...], rows: io.StringIO) -> None:
    rows.seek(0)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def _rows(businesses: int) -> tuple[io.StringIO, io.StringIO, io.StringIO]:
    start = datetime.now(UTC) - HISTORY
    step = HISTORY / max(businesses, 1)
    business_rows, number_rows, activity_rows = io.StringIO(), io.StringIO(), io.StringIO()
    draws = random.Random(WEBHOOK_SEED)
    for index in range(businesses):
        identifier = business_id(index)
        created = start + step * index
        status = STATUSES[index % len(STATUSES)]
        area_code = AREA_CODES[index % len(AREA_CODES)]
        business_rows.write(
            f"{identifier}\t{business_name(index)}\t{status}\towner{index}@example.com\t{area_code}\t"
            f"{created.isoformat()}\t{created.isoformat()}\n"
        )
        if has_number(index):
            number_id = uuid.UUID(int=(1 << 64) + index)
            bought = (created + step / 2).isoformat()
            number_rows.write(
                f"{number_id}\t{identifier}\t{e164_for(index)}\tPN{index:032x}\tUS\t{area_code}\t"
                f"{CAPABILITIES}\thttp://localhost:3000/voice\t{webhook_status_for(draws.random())}\t{bought}\t{bought}\n"
            )
            activity_rows.write(
                f"{uuid.UUID(int=(2 << 64) + index)}\tprovision\tsucceeded\t{identifier}\t{number_id}\t1\t"
                f"{created.isoformat()}\t{created.isoformat()}\t{bought}\n"
            )
    return business_rows, number_rows, activity_rows


def _secondary_indexes(connection: Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index on the seeded tables not backing a constraint."""
    query = text(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relname = ANY(:tables) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
    )
    return [(name, ddl) for name, ddl in connection.execute(query, {"tables": list(TABLES)})]


def seed(engine: Engine, businesses: int) -> None:
    """Replace every business, number and activity with `businesses` generated ones (2/3 with a number)."""
    business_rows, number_rows, activity_rows = _rows(businesses)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
        indexes = _secondary_indexes(connection)
        for name, _ in indexes:
            connection.execute(text(f'DROP INDEX "{name}"'))
        _copy(connection, "businesses", BUSINESS_COLUMNS, business_rows)
        _copy(connection, "phone_numbers", NUMBER_COLUMNS, number_rows)
        _copy(connection, "activities", ACTIVITY_COLUMNS, activity_rows)
        for _, ddl in indexes:
            connection.execute(text(ddl))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in TABLES:
            connection.execute(text(f"VACUUM ANALYZE {table}"))
