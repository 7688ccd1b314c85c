"""Statements over many rows or values whose text and parameters do not grow with them. On PostgreSQL the
rows go as one array per column, read back by `unnest`, and a list of values as one array: written out,
1,000 rows of 10 columns would be 10,000 parameters, which psycopg rewrites in Python on every statement
(its cache skips long ones), and an UPDATE per row would be as many statements. SQLite, without arrays,
takes the rows as an executemany (SQLAlchemy sends INSERTs as multi-row ones) and the values as an IN
list."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, Table, any_, bindparam, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeEngine

from webapp.extensions import db


def on_postgresql() -> bool:
    """Whether the app's database is PostgreSQL (else SQLite)."""
    return db.engine.dialect.name == "postgresql"


def array_of(values: Collection[Any], type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """`values` as one array parameter (PostgreSQL). Text goes without its column's length: a cast to
    `varchar(n)` would cut a longer value silently, where storing it must fail as a single row does."""
    return literal(list(values), postgresql.ARRAY(String() if isinstance(type_, String) else type_))


def unnested(values: Sequence[Any], type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """`values` as one array parameter, one row each (PostgreSQL)."""
    return func.unnest(array_of(values, type_))


def rows_source(
    types: Mapping[str, TypeEngine[Any]], rows: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, ColumnElement[Any]], list[Mapping[str, Any]] | None]:
    """Return the columns `types` of `rows` for a statement to read, and the parameters to execute it
    with: on PostgreSQL the columns of one `unnest` of an array per column (a FROM the statement takes),
    on SQLite bound parameters that an executemany fills row by row."""
    if not on_postgresql():
        return {name: bindparam(name, type_=type_) for name, type_ in types.items()}, list(rows)
    arrays = [unnested([row[name] for row in rows], type_).label(name) for name, type_ in types.items()]
    source = select(*arrays).subquery("given")
    return {name: source.c[name] for name in types}, None


def insert_rows(
    table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[postgresql.Insert | sqlite.Insert, list[Mapping[str, Any]] | None]:
    """Return the INSERT of `rows` (each with the same columns) into `table`, to which the caller may add
    ON CONFLICT and RETURNING, and the parameters to execute it with."""
    columns = list(rows[0])
    if not on_postgresql():
        return sqlite.insert(table), list(rows)
    arrays = [unnested([row[name] for row in rows], table.c[name].type) for name in columns]
    return postgresql.insert(table).from_select(columns, select(*arrays)), None


def one_of(
    column: ColumnElement[Any] | QueryableAttribute[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """`column` is one of `values`."""
    if not on_postgresql():
        return column.in_(values)
    return column == any_(array_of(values, column.type))
