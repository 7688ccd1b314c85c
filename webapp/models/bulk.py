"""Statements over many rows or values whose text and parameters do not grow with them. On PostgreSQL the
rows go as one array per column, read back by `unnest`, and a list of values as one array: written out,
1,000 rows of 10 columns would be 10,000 parameters, which psycopg rewrites in Python on every statement
(its cache skips long ones). SQLite, without arrays, takes the rows as an executemany, which SQLAlchemy
sends as multi-row INSERTs, and the values as an IN list."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import QueryableAttribute

from webapp.extensions import db


def insert_rows(
    table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[postgresql.Insert | sqlite.Insert, list[Mapping[str, Any]] | None]:
    """Return the INSERT of `rows` (each with the same columns) into `table`, to which the caller may add
    ON CONFLICT and RETURNING, and the parameters to execute it with."""
    columns = list(rows[0])
    if db.engine.dialect.name != "postgresql":
        return sqlite.insert(table), list(rows)
    arrays = [
        func.unnest(literal([row[name] for row in rows], postgresql.ARRAY(table.c[name].type)))
        for name in columns
    ]
    return postgresql.insert(table).from_select(columns, select(*arrays)), None


def one_of(
    column: ColumnElement[Any] | QueryableAttribute[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """`column` is one of `values`."""
    if db.engine.dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
