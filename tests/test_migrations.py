"""The Alembic history builds exactly the models' schema, and unwinds, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from harness.database import drop_schema
from webapp.extensions import db
from webapp.models.indexes import include_object_for

SQLITE_UNCOMPARED = (
    r"autogenerate skipping metadata-specified expression-based index 'ix_businesses_awaiting_name'"
)
"""Alembic's warning about the one expression index, which only PostgreSQL builds: it cannot compare such an
index on SQLite even to say it is not there."""


def schema_differences() -> list:
    """What autogenerate would add or drop, as `flask db migrate` sees it (env.py's include_object)."""
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", SQLITE_UNCOMPARED, UserWarning)
        options = {"include_object": include_object_for(connection.dialect.name)}
        return compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)


def test_upgrade_gives_exactly_the_models_schema_and_downgrade_unwinds_it(app):
    drop_schema()
    upgrade()
    assert schema_differences() == []
    assert {"businesses", "phone_numbers", "users", "activities"} <= set(inspect(db.engine).get_table_names())
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.create_all()


def test_upgraded_database_enforces_the_format_checks(app):
    drop_schema()
    upgrade()
    with db.engine.connect() as connection:
        checks = {check["name"] for check in inspect(connection).get_check_constraints("phone_numbers")}
    assert {"ck_phone_numbers_e164_format", "ck_phone_numbers_twilio_sid_format"} <= checks
    drop_schema()
    db.create_all()


def index_names(table: str) -> set[str]:
    return {index["name"] for index in inspect(db.engine).get_indexes(table)}


def test_upgrade_builds_the_backlog_index_in_place_of_the_status_index(app):
    drop_schema()
    upgrade()
    names = index_names("businesses")
    assert "ix_businesses_status_created_at" in names and "ix_businesses_status" not in names
    downgrade(revision="0001")
    names = index_names("businesses")
    assert "ix_businesses_status" in names and "ix_businesses_status_created_at" not in names
    drop_schema()
    db.create_all()


@pytest.mark.postgres_only
def test_postgresql_gets_trigram_indexes_for_the_business_search(app):
    drop_schema()
    upgrade()
    with db.engine.connect() as connection:
        query = text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'businesses'")
        definitions = {name: ddl for name, ddl in connection.execute(query)}
    assert "gin (name gin_trgm_ops)" in definitions["ix_businesses_name_trgm"]
    assert "gin (contact_email gin_trgm_ops)" in definitions["ix_businesses_contact_email_trgm"]
    drop_schema()
    db.create_all()


def test_upgraded_database_accepts_the_new_activity_kinds_and_downgrade_refuses_them(app):
    drop_schema()
    upgrade()
    insert = text(
        "INSERT INTO activities (id, kind, status, attempts, created_at)"
        " VALUES (:id, :kind, 'queued', 0, CURRENT_TIMESTAMP)"
    )
    with db.engine.begin() as connection:
        connection.execute(
            insert, {"id": uuid.uuid4().hex if sqlite(connection) else uuid.uuid4(), "kind": "move"}
        )
    downgrade(revision="0002")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            insert, {"id": uuid.uuid4().hex if sqlite(connection) else uuid.uuid4(), "kind": "move"}
        )
    drop_schema()
    db.create_all()


def sqlite(connection) -> bool:  # type: ignore[no-untyped-def]
    return connection.dialect.name == "sqlite"


def test_upgrade_names_the_number_of_every_earlier_activity(app):
    drop_schema()
    upgrade(revision="0010")
    insert = text(
        "INSERT INTO activities (id, kind, status, attempts, created_at, result)"
        " VALUES (:id, :kind, 'succeeded', 1, CURRENT_TIMESTAMP, :result)"
    )
    rows = {
        "release": '{"e164": "+14155550100", "twilio_sid": "PN1"}',
        "replace": '{"e164": "+14155550101", "new_e164": "+14155550199"}',
        "adopt": '{"orphan": {"e164": "+14155550102", "sid": "PN2"}}',
        "webhook_check": None,
    }
    with db.engine.begin() as connection:
        for kind, result in rows.items():
            key = uuid.uuid4().hex if sqlite(connection) else uuid.uuid4()
            connection.execute(insert, {"id": key, "kind": kind, "result": result})
    upgrade(revision="0015")
    with db.engine.connect() as connection:
        query = text("SELECT kind, e164 || ' ' || COALESCE(new_e164, '-') FROM activities")
        named = {kind: names for kind, names in connection.execute(query)}
    assert named == {
        "release": "+14155550100 -",
        "replace": "+14155550101 +14155550199",
        "adopt": "+14155550102 -",
        "webhook_check": None,
    }
    drop_schema()
    db.create_all()
