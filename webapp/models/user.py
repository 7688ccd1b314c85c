"""A member of the support staff who signs in to the console, and their role."""

from __future__ import annotations

import enum
import functools
from datetime import datetime
from typing import TypeGuard

from email_validator import EmailNotValidError, validate_email
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Integer, String, event, inspect, select
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.base import (
    SYSTEM_KEPT,
    Model,
    Timestamps,
    UTCDateTime,
    UuidPrimaryKey,
    ValidationError,
    enum_column,
)
from webapp.models.passwords import why_password_refused

DEMO_ADMIN_EMAIL = "admin@example.com"
"""The admin `seed-demo --with-admin` (and so `make run`) creates, with a password printed once."""

NON_ASCII_EMAIL = (
    "E-mail must use ASCII characters only: a letter from another alphabet can pass for an existing "
    "user's address."
)
"""Why a console user's address is refused: `adмin@example.com` (a Cyrillic м) passes for `admin@...`."""


class Role(enum.StrEnum):
    """What a user may do: viewers read; operators also provision and re-sync; admins also manage."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """The role's place in the order viewer < operator < admin."""
        return list(Role).index(self)


class User(UserMixin, UuidPrimaryKey, Timestamps, Model):
    """A console user; the password is kept only as a scrypt hash."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), info=SYSTEM_KEPT)  # set_password() keeps it
    # active_history: the access log records the old role and activation even when the row was expired.
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "user_role"), default=Role.VIEWER, active_history=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, active_history=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=SYSTEM_KEPT)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=SYSTEM_KEPT)
    """Raised to end every session of the user (see webapp.auth.sessions)."""

    @validates("email")
    def _validate_email(self, key: str, value: str | None) -> str:
        email = normalise_email(value)
        if not email:
            raise ValidationError("email", "E-mail is required.")
        if not email.isascii():
            raise ValidationError("email", NON_ASCII_EMAIL)
        return email

    @validates("role")
    def _validate_role(self, key: str, value: str | Role) -> Role:
        try:
            return Role(value)
        except ValueError:
            allowed = ", ".join(member.value for member in Role)
            raise ValidationError("role", f"Role must be one of {allowed}; got {value!r}.") from None

    def set_password(self, password: str) -> None:
        """Store a hash of `password` (set the e-mail first: the password must differ from it).

        Raises:
            ValidationError: the password breaks the rule of `why_password_refused`.
        """
        refusal = why_password_refused(password, self.email)
        if refusal:
            raise ValidationError("password", refusal)
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether `password` is this user's."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Flask-Login's id in the session cookie: the user's id and session version."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """End every session of this user at their next request (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sign-in to deactivated users."""
        return bool(self.active)

    def has_role(self, role: Role) -> bool:
        """Whether the user's role is `role` or above."""
        return Role(self.role).rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

    def __str__(self) -> str:
        return self.email


ACCESS_ATTRIBUTES = ("password_hash", "role", "active")
"""A change to any of these ends the user's existing sessions."""


@event.listens_for(User, "before_update")
def _end_sessions_on_access_change(mapper, connection, user: User) -> None:
    state: InstanceState[User] = inspect(user)  # untyped UserMixin makes mypy infer Any
    if any(state.attrs[name].history.has_changes() for name in ACCESS_ATTRIBUTES):
        user.end_sessions()


@functools.cache
def _stand_in_hash() -> str:
    """A hash made like a user's, checked when nobody matches so the check takes as long (made once)."""
    return generate_password_hash("stand-in for a user who does not exist", method="scrypt")


def password_matches(user: User | None, password: str) -> TypeGuard[User]:
    """Whether `user` is active and `password` is theirs; hashes just the same for no user or an inactive one.

    The time a refused sign-in takes then does not tell whether an account exists.
    """
    if user is None or not user.password_hash:
        check_password_hash(_stand_in_hash(), password)
        return False
    return user.check_password(password) and user.is_active


def last_admin_refusal(user: User) -> str | None:
    """Why `user`'s unsaved change may not be saved: it leaves no active admin (None when it may be saved).

    The active admins' rows stay locked (PostgreSQL) until the change commits, so two admins demoting each
    other at once cannot both succeed: the second sees the first's change and is refused.
    """
    with db.session.no_autoflush:  # compare with the stored rows, without the change
        if user.active and user.role == Role.ADMIN:
            return None
        active_admins = db.session.scalars(
            select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
        ).all()
    if active_admins != [user.id]:
        return None
    return (
        f"{user.email} is the last active admin: make another user an admin before "
        "changing their role or deactivating them."
    )


def normalise_email(value: str | None) -> str:
    """Return a lower-case, validated e-mail address ('' when empty).

    Raises:
        ValidationError: the address is malformed.
    """
    email = (value or "").strip()
    if not email:
        return ""
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError("email", f"E-mail is not valid: {error}") from None
