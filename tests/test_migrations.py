"""The Alembic history builds exactly the models' schema, and unwinds, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from webapp.extensions import db


def drop_everything() -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def schema_differences() -> list:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_upgrade_gives_exactly_the_models_schema_and_downgrade_unwinds_it(app):
    drop_everything()
    upgrade()
    assert schema_differences() == []
    assert {"businesses", "phone_numbers", "users", "activities"} <= set(inspect(db.engine).get_table_names())
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.create_all()


def test_upgraded_database_enforces_the_format_checks(app):
    drop_everything()
    upgrade()
    with db.engine.connect() as connection:
        checks = {check["name"] for check in inspect(connection).get_check_constraints("phone_numbers")}
    assert {"ck_phone_numbers_e164_format", "ck_phone_numbers_twilio_sid_format"} <= checks
    drop_everything()
    db.create_all()
