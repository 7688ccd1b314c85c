"""Row counts that stay fast at a million rows: exact up to a cap, then an estimate or a lower bound.

An exact `count(*)` reads every row it counts (60 ms for a million businesses, more with a filter), and
the console counted on every list page and five times on the dashboard. Here at most COUNT_CAP + 1 rows
are read; above the cap a whole table, or one value of a column, is estimated from PostgreSQL's
statistics ("about 1,000,000"), and a search or filter says "more than 10,000".
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.orm import Query, Session

from webapp.models.base import Model
from webapp.models.persistence import AnySession

COUNT_CAP = 10_000
"""Rows counted exactly; a larger count is estimated or shown as a lower bound."""

ESTIMATE_SIGNIFICANT_DIGITS = 3
"""An estimate is rounded to this many digits: `about 637,000`, not a precise-looking `636,363`."""

ROWS_ESTIMATE = "c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)"
"""The planner's own estimate of a table's rows: density at the last ANALYZE times today's size."""

TABLE_ROWS = text(
    f"SELECT {ROWS_ESTIMATE} FROM pg_class c WHERE c.oid = to_regclass(:table) AND c.relpages > 0 "
    "AND c.reltuples >= 0"
)

VALUE_ROWS = text(
    f"SELECT s.most_common_vals::text::text[], s.most_common_freqs, {ROWS_ESTIMATE} FROM pg_stats s "
    "JOIN pg_class c ON c.oid = to_regclass(:table) WHERE s.schemaname = current_schema() "
    "AND s.tablename = :table AND s.attname = :column AND c.relpages > 0 AND c.reltuples >= 0"
)
"""The estimated rows of each of a column's most common values, sampled by ANALYZE."""


class ApproximateCount(int):
    """A count that is an estimate or a lower bound: an int for the pager, its text for the agent."""

    text: str

    def __new__(cls, value: int, text: str) -> ApproximateCount:
        count = super().__new__(cls, value)
        count.text = text
        return count

    def __str__(self) -> str:
        return self.text

    def bounded(self, rows: int) -> ApproximateCount:
        """The same text with at most `rows` as its value (the rows a pager may offer)."""
        return ApproximateCount(min(self, rows), self.text)


def about(rows: float) -> ApproximateCount:
    """An estimate, rounded: `about 1,000,000`."""
    rounded = int(float(f"{rows:.{ESTIMATE_SIGNIFICANT_DIGITS}g}"))
    return ApproximateCount(rounded, f"about {rounded:,}")


def more_than(cap: int) -> ApproximateCount:
    """A lower bound: `more than 10,000`."""
    return ApproximateCount(cap, f"more than {cap:,}")


def capped_count(rows: Select[Any], cap: int) -> Select[int]:
    """`SELECT count(*)` of at most `cap` + 1 of the rows `rows` selects."""
    return select(func.count()).select_from(rows.limit(cap + 1).subquery())


def _on_postgresql(session: AnySession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def estimated_rows(session: AnySession, table: str) -> float | None:
    """The planner's estimate of `table`'s rows; None off PostgreSQL or before the first ANALYZE."""
    if not _on_postgresql(session):
        return None
    return session.execute(TABLE_ROWS, {"table": table}).scalar()


def estimated_value_rows(session: AnySession, table: str, column: str) -> dict[str, float]:
    """`{value: estimated rows}` for the most common values of `table.column` (empty off PostgreSQL)."""
    if not _on_postgresql(session):
        return {}
    found = session.execute(VALUE_ROWS, {"table": table, "column": column}).first()
    if found is None or found[0] is None:
        return {}
    values, frequencies, rows = found
    return {value: frequency * rows for value, frequency in zip(values, frequencies, strict=True)}


def counts_by(
    session: AnySession, column: Any, members: Sequence[enum.Enum], cap: int | None
) -> dict[Any, int]:
    """Return `{member: rows}` for every member of an enum column, in one statement.

    With `cap`, each member's rows are counted up to `cap` + 1 (an index range each); a member above the
    cap is estimated from the column's statistics. Without it, one exact GROUP BY reads the whole table.
    """
    if cap is None:
        found: dict[Any, int] = dict(session.execute(select(column, func.count()).group_by(column)).all())
        return {member: found.get(member, 0) for member in members}
    table = column.class_.__table__
    counted = session.execute(
        select(
            *(
                capped_count(select(literal_column("1")).select_from(table).where(column == member), cap)
                .scalar_subquery()
                .label(f"count_{index}")
                for index, member in enumerate(members)
            )
        )
    ).one()
    counts: dict[Any, int] = dict(zip(members, counted, strict=True))
    if any(count > cap for count in counts.values()):
        estimates = estimated_value_rows(session, table.name, column.expression.name)
        for member, count in counts.items():
            if count > cap:
                estimate = estimates.get(member.value)
                counts[member] = about(estimate) if estimate and estimate > cap else more_than(cap)
    return counts


class CappedCountQuery(Query):
    """Flask-Admin's count query, searched and filtered as usual, that reads at most `cap` + 1 rows.

    Flask-Admin builds the count with `filter()` and `join()` and runs it with `scalar()`; only `scalar()`
    changes. A whole table above the cap is estimated; a searched or filtered one is a lower bound.
    """

    cap: int = COUNT_CAP
    table: str = ""

    @classmethod
    def of(cls, model: type[Model], session: Session, cap: int) -> CappedCountQuery:
        query = cls([func.count()], session).select_from(model)
        query.cap = cap
        query.table = model.__table__.name
        return query

    def scalar(self) -> int:
        rows = self.with_entities(literal_column("1")).statement
        assert isinstance(rows, Select), "a count query is a SELECT, never an UPDATE or DELETE"
        counted = self.session.execute(capped_count(rows, self.cap)).scalar_one()
        if counted <= self.cap:
            return counted
        if self.whereclause is None:
            estimate = estimated_rows(self.session, self.table)
            if estimate is not None and estimate > self.cap:
                return about(estimate)
        return more_than(self.cap)
