"""A fresh schema on the app's database, for tests and benchmarks alike."""

from __future__ import annotations

from sqlalchemy import text

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
