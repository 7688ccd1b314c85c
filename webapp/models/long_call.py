"""Each number's three latest long calls (completed, 12 s or more), kept on its row in the transaction that
adds its daily totals, so that the idle rule (`models.idle`) is a condition on indexed columns: a number had
no long call since a time when its latest is older, and fewer than three when its third-latest is."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Update, bindparam, case, or_, update
from sqlalchemy.sql.elements import ColumnElement

from webapp.extensions import db
from webapp.models.base import UTCDateTime
from webapp.models.call_day import EndedCall
from webapp.models.phone_number import PhoneNumber

KEPT = 3
"""How many latest long calls a number keeps: the reclaim rule's three."""

LATEST_LONG_CALLS = (
    PhoneNumber.last_long_call_at,
    PhoneNumber.second_long_call_at,
    PhoneNumber.third_long_call_at,
)
"""The kept times, latest first."""


def long_calls_with(added: ColumnElement[datetime]) -> dict[str, ColumnElement[datetime | None]]:
    """The number's kept times with a long call ended at `added` merged in, the `KEPT` latest, latest first:
    SQL over its row, by column name, so that each merge reads the row it updates."""
    kept = [PhoneNumber.__table__.c[column.key] for column in LATEST_LONG_CALLS]

    def above(slot: ColumnElement[datetime | None]) -> ColumnElement[bool]:
        return or_(slot.is_(None), added >= slot)

    merged: dict[str, ColumnElement[datetime | None]] = {}
    for index, slot in enumerate(kept):
        shifted = [(above(kept[index - 1]), kept[index - 1])] if index else []
        merged[slot.key] = case(*shifted, (above(slot), added), else_=slot)
    return merged


def long_call_update() -> Update:
    """The UPDATE that merges the long call `added` into the kept times of the number `number_id`."""
    numbers = PhoneNumber.__table__
    return (
        update(numbers)
        .where(numbers.c.id == bindparam("number_id"))
        .values(
            **long_calls_with(bindparam("added", type_=UTCDateTime)),
            updated_at=numbers.c.updated_at,  # a call is not a change of the number's record
        )
    )


def add_long_calls(ended: Iterable[EndedCall]) -> None:
    """Merge the long calls among `ended` (each call given once, as `record_calls` gives them) into their
    numbers' kept times, one UPDATE each (only a number's `KEPT` latest can stay), in number order so that
    concurrent callbacks lock the rows in turn. The caller commits."""
    added: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    for call in ended:
        if call.is_long:
            added[call.phone_number_id].append(call.ended_at)
    params = [
        {"number_id": number_id, "added": at}
        for number_id in sorted(added)
        for at in sorted(added[number_id], reverse=True)[:KEPT]
    ]
    if params:
        db.session.execute(long_call_update(), params)
