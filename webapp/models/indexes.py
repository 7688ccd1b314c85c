"""Indexes that only PostgreSQL builds (pg_trgm), and telling Alembic which dialect builds which index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import DDL, Index, Table, event
from sqlalchemy.schema import SchemaItem

TRIGRAM_EXTENSION = DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql")


def trigram_index(table: str, column: str) -> Index:
    """A pg_trgm GIN index on `column`: it serves Flask-Admin's `CAST(column AS VARCHAR) ILIKE '%text%'`.

    PostgreSQL only (SQLite has no trigram indexes); the table must have `needs_trigrams` applied.
    """
    return Index(
        f"ix_{table}_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
    ).ddl_if(dialect="postgresql")


def needs_trigrams(table: Table) -> None:
    """Create the pg_trgm extension before `table` when the models' schema is created directly."""
    event.listen(table, "before_create", TRIGRAM_EXTENSION)


def built_on(item: SchemaItem, dialect: str) -> bool:
    """Whether `item` exists on `dialect`: False for an index restricted to another dialect by `ddl_if`."""
    condition = getattr(item, "_ddl_if", None)  # SQLAlchemy keeps ddl_if's arguments here
    if condition is None or condition.dialect is None:
        return True
    dialects = (condition.dialect,) if isinstance(condition.dialect, str) else tuple(condition.dialect)
    return dialect in dialects


def include_object_for(dialect: str) -> Callable[..., bool]:
    """An Alembic `include_object` hook that leaves out of autogenerate what `dialect` never builds."""

    def include_object(item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return reflected or built_on(item, dialect)

    return include_object
