"""Each test starts on the models' schema with no rows: `fresh_schema` deletes the rows a test left when the
schema is as this process made it, and builds it afresh when a test changed it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, text

from harness.database import fresh_schema
from tests.factories import make_business, make_number
from tests.test_migrations import schema_differences
from webapp.extensions import db
from webapp.models import Business, PhoneNumber

pytestmark = pytest.mark.postgres_only


def test_the_rows_a_test_left_are_gone_even_those_the_release_guard_keeps(app):
    make_number(make_business())  # the release guard refuses to delete an unreleased number row by row
    db.session.commit()
    db.session.close()

    fresh_schema()

    assert db.session.scalar(select(func.count()).select_from(Business)) == 0
    assert db.session.scalar(select(func.count()).select_from(PhoneNumber)) == 0
    assert schema_differences() == []


def test_a_schema_a_test_changed_is_built_afresh(app):
    with db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_phone_numbers_area_code"))
        connection.execute(text("ALTER TABLE businesses ADD COLUMN left_behind integer"))
    assert schema_differences() != []

    fresh_schema()

    assert schema_differences() == []
    assert "left_behind" not in {column["name"] for column in inspect(db.engine).get_columns("businesses")}
