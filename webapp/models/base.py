"""The models' base class, column types, mixins and the validation error shared by every model."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, Column, DateTime, Enum, Table, TypeDecorator, Uuid, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Base, db

if TYPE_CHECKING:

    class Model(Base):
        """What mypy sees of `db.Model`, the subclass of `Base` that Flask-SQLAlchemy makes at run time."""

        __abstract__ = True
        __table__: ClassVar[Table]
        """Every model maps one table (DeclarativeBase allows any selectable)."""

else:
    Model = db.Model

SYSTEM_KEPT = {"system_kept": True}
"""A column's `info` marking a value the system keeps (triggers, the ORM, sign-in), which no form offers."""


def system_kept_columns(model: type) -> set[str]:
    """The attribute names of `model`'s columns marked SYSTEM_KEPT."""
    columns: dict[str, Column[Any]] = dict(inspect(model).columns.items())
    return {
        name
        for name, column in columns.items()
        if isinstance(column, Column) and column.info.get("system_kept")  # not a query_expression
    }


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("Timestamps must be timezone-aware.")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")
"""A JSON document column: JSONB on PostgreSQL, JSON text elsewhere."""


def enum_column(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """Return a portable (VARCHAR + CHECK) column type storing the enum's values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class ValidationError(ValueError):
    """A field's value is not acceptable; `str()` is a sentence a support agent can act on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UuidPrimaryKey:
    """A random UUID primary key."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    """`created_at` and `updated_at`, in UTC, kept by the ORM."""

    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, info=SYSTEM_KEPT
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False, info=SYSTEM_KEPT
    )
