"""Each number's three latest long calls (completed, 12 s or more), kept on its row in the transaction that
adds its daily totals, so that the idle rule (`models.idle`) is a condition on indexed columns: a number had
no long call since a time when its latest is older, and fewer than three when its third-latest is."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, select, update
from sqlalchemy.types import TypeEngine

from webapp.extensions import db
from webapp.models.base import UTCDateTime
from webapp.models.bulk import one_of, rows_source
from webapp.models.call_day import LONG_CALL_SECONDS, EndedCall
from webapp.models.phone_number import PhoneNumber

KEPT = 3
"""How many latest long calls a number keeps: the reclaim rule's three."""

LATEST_LONG_CALLS = (
    PhoneNumber.last_long_call_at,
    PhoneNumber.second_long_call_at,
    PhoneNumber.third_long_call_at,
)
"""The kept times, latest first."""

KEPT_COLUMNS: dict[str, TypeEngine[Any]] = {
    "number_id": Uuid(),
    "first": UTCDateTime(),
    "second": UTCDateTime(),
    "third": UTCDateTime(),
}
"""What the UPDATE of a number's kept times reads: its id and its times, latest first."""


def latest_long_calls(kept: Iterable[datetime | None], added: Iterable[datetime]) -> list[datetime | None]:
    """The `KEPT` latest of the kept and the added times, latest first, None for a missing one."""
    latest = sorted([*(at for at in kept if at is not None), *added], reverse=True)[:KEPT]
    return latest + [None] * (KEPT - len(latest))


def add_long_calls(ended: Iterable[EndedCall]) -> None:
    """Merge the long calls among `ended` (each call given once, as `record_calls` gives them) into their
    numbers' kept times; the rows are locked in id order first, so concurrent callbacks merge in turn. The
    caller commits."""
    added: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    for call in ended:
        if call.completed and (call.duration_seconds or 0) >= LONG_CALL_SECONDS:
            added[call.phone_number_id].append(call.ended_at)
    if not added:
        return
    kept = db.session.execute(
        select(PhoneNumber.id, *LATEST_LONG_CALLS)
        .where(one_of(PhoneNumber.id, added))
        .order_by(PhoneNumber.id)
        .with_for_update()
    )
    rows = [
        dict(zip(KEPT_COLUMNS, (number_id, *latest_long_calls(times, added[number_id])), strict=True))
        for number_id, *times in kept
    ]
    given, params = rows_source(KEPT_COLUMNS, rows)
    numbers = PhoneNumber.__table__
    statement = (
        update(numbers)
        .where(numbers.c.id == given["number_id"])
        .values(
            last_long_call_at=given["first"],
            second_long_call_at=given["second"],
            third_long_call_at=given["third"],
            updated_at=numbers.c.updated_at,  # a call is not a change of the number's record
        )
    )
    db.session.execute(statement, params)
