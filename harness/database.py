"""A fresh schema on the app's database, and a PostgreSQL database made when missing, for tests and
benchmarks alike."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webapp.extensions import db


def drop_schema() -> None:
    """Drop every table of the app's database, the migrations' version table too."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def reset_schema() -> None:
    """Drop every table and create the models' schema afresh (without the migrations' history)."""
    drop_schema()
    db.create_all()


SCHEMA_FINGERPRINT = text(
    """
    SELECT md5(string_agg(part, ';' ORDER BY part)) FROM (
        SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS part
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
        UNION ALL
        SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
        UNION ALL
        SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
        UNION ALL
        SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    ) AS parts
    """
)
"""A digest of every table, column, index, constraint and trigger of the current PostgreSQL schema."""

_created_schemas: dict[str, str] = {}
"""Per database URL, the fingerprint of the schema this process last created there."""


def fresh_schema() -> None:
    """Leave the app's database with the models' schema and no rows.

    On PostgreSQL, a database still holding exactly the schema this process created (same fingerprint: no
    test changed it since, as the migration tests do) only has its rows deleted, in one transaction with
    triggers off (`session_replication_role`, which takes a superuser such as CI's `postgres`; the release
    guard would refuse the deletes): about 4 ms, where dropping and creating the tables takes 65-400 ms.
    Otherwise, as `reset_schema`.
    """
    url = db.engine.url.render_as_string(hide_password=False)
    if url in _created_schemas:
        with db.engine.begin() as connection:
            if connection.execute(SCHEMA_FINGERPRINT).scalar() == _created_schemas[url]:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
                return
    reset_schema()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            if connection.execute(text("SHOW is_superuser")).scalar() == "on":
                _created_schemas[url] = connection.execute(SCHEMA_FINGERPRINT).scalar_one()


def create_database_if_missing(url: str) -> None:
    """Create the PostgreSQL database `url` names if it does not exist, connecting to `postgres`."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()
