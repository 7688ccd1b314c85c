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
