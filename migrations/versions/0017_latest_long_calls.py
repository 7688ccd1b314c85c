"""Each number's three latest long calls (completed, 12 s or more) on its row: last_long_call_at,
second_long_call_at, third_long_call_at, indexed (the latest and the third), so the idle rule is a range
of an index instead of a sum over every number's daily totals.

Filled from the daily totals (call_days, the count of long calls per day) and, for the days whose callbacks
are still kept (call_events), their exact end times; a long call whose callback was pruned gets midnight
(UTC) of its day, which the rule (a window of whole days) reads the same.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 21:05:00.000000

"""

from collections import defaultdict
from datetime import UTC, datetime, time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KEPT = 3
LONG_CALL_SECONDS = 12
COLUMNS = ("last_long_call_at", "second_long_call_at", "third_long_call_at")
INDEXED = ("last_long_call_at", "third_long_call_at")

numbers = sa.table(
    "phone_numbers",
    sa.column("id", sa.Uuid()),
    *(sa.column(name, sa.DateTime(timezone=True)) for name in COLUMNS),
)
call_days = sa.table(
    "call_days",
    sa.column("phone_number_id", sa.Uuid()),
    sa.column("day", sa.Date()),
    sa.column("long_calls", sa.Integer()),
)
call_events = sa.table(
    "call_events",
    sa.column("phone_number_id", sa.Uuid()),
    sa.column("call_status", sa.String()),
    sa.column("duration_seconds", sa.Integer()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
)


def upgrade():
    for name in COLUMNS:
        op.add_column("phone_numbers", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    for name in INDEXED:
        op.create_index(op.f(f"ix_phone_numbers_{name}"), "phone_numbers", [name], unique=False)
    fill_latest_long_calls(op.get_bind())


def utc(at):
    """A stored time as an aware UTC datetime (SQLite returns it naive)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def fill_latest_long_calls(connection):
    """Set each number's three latest long calls from its three latest days with any."""
    rank = sa.func.row_number().over(
        partition_by=call_days.c.phone_number_id, order_by=call_days.c.day.desc()
    )
    ranked = (
        sa.select(call_days.c.phone_number_id, call_days.c.day, call_days.c.long_calls, rank.label("rank"))
        .where(call_days.c.long_calls > 0)
        .subquery()
    )
    days = {
        (number_id, day): count
        for number_id, day, count in connection.execute(
            sa.select(ranked.c.phone_number_id, ranked.c.day, ranked.c.long_calls).where(
                ranked.c.rank <= KEPT
            )
        )
    }
    if not days:
        return
    heard = defaultdict(list)
    events = connection.execute(
        sa.select(call_events.c.phone_number_id, call_events.c.occurred_at)
        .where(
            call_events.c.phone_number_id.is_not(None),
            call_events.c.call_status == "completed",
            call_events.c.duration_seconds >= LONG_CALL_SECONDS,
            call_events.c.occurred_at >= datetime.combine(min(day for _, day in days), time(), UTC),
        )
        .execution_options(yield_per=10_000)
    )
    for number_id, occurred_at in events:
        at = utc(occurred_at)
        if (number_id, at.date()) in days:
            heard[number_id, at.date()].append(at)
    latest = defaultdict(list)
    for (number_id, day), count in days.items():
        times = sorted(heard[number_id, day], reverse=True)[:count]
        latest[number_id] += times + [datetime.combine(day, time(), UTC)] * (count - len(times))
    update = (
        sa.update(numbers)
        .where(numbers.c.id == sa.bindparam("number_id"))
        .values({name: sa.bindparam(f"at_{n}") for n, name in enumerate(COLUMNS)})
    )
    params = []
    for number_id, times in latest.items():
        kept = sorted(times, reverse=True)[:KEPT]
        kept += [None] * (KEPT - len(kept))
        params.append({"number_id": number_id, **{f"at_{n}": at for n, at in enumerate(kept)}})
    connection.execute(update, params)


def downgrade():
    # dropped one by one, not in a batch: SQLite then drops a column in place instead of rebuilding the table,
    # which its triggers would not survive
    for name in INDEXED:
        op.drop_index(op.f(f"ix_phone_numbers_{name}"), table_name="phone_numbers")
    for name in reversed(COLUMNS):
        op.drop_column("phone_numbers", name)
