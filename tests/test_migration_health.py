"""Migration 0006 lets the health jobs' Activities in, and unwinds, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from harness.database import drop_schema
from tests.test_migrations import schema_differences
from webapp.extensions import db

INSERT = (
    "INSERT INTO activities (id, kind, status, attempts, created_at)"
    " VALUES (:id, :kind, 'queued', 0, '2026-01-01 00:00:00')"
)


def test_the_health_kinds_are_allowed_after_upgrade_and_refused_after_downgrade(app):
    drop_schema()
    upgrade()
    assert schema_differences() == []
    with db.engine.begin() as connection:
        connection.execute(text(INSERT), {"id": "1" * 32, "kind": "test_call"})
    downgrade(revision="0005")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(INSERT), {"id": "2" * 32, "kind": "health_sweep"})
    drop_schema()
    db.create_all()
