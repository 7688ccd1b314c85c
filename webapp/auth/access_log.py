"""Writing the access audit trail (`AccessEvent`): what happened to which account, by whom, from where.

Sign-ins, refused sign-ins and sign-outs are recorded by the sign-in views; role changes, activations and
deactivations by a listener on every update of a user, so the users page, the `users` commands and any
other path are recorded alike. Outside a request (a command) the address is `command line` and the actor
unknown.
"""

from __future__ import annotations

import uuid

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstanceState

from webapp.extensions import db
from webapp.models import AccessEvent, AccessEventKind, User
from webapp.models.access_event import ADDRESS_MAX, DETAIL_MAX, EMAIL_MAX

OUTSIDE_A_REQUEST = "command line"
"""The address of a change made by a command rather than through the console."""


def client_address() -> str:
    """Where the current request comes from (the proxy's view, as `request.remote_addr` gives it)."""
    if not has_request_context():
        return OUTSIDE_A_REQUEST
    return (request.remote_addr or "unknown")[:ADDRESS_MAX]


def acting_user_id() -> uuid.UUID | None:
    """The signed-in user making the current request, if any."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def printable(text: str, limit: int) -> str:
    """`text` without control characters (PostgreSQL refuses NUL), cut to `limit` characters."""
    return "".join(char for char in text if char.isprintable())[:limit]


def record_access(
    kind: AccessEventKind, email: str, user: User | None = None, detail: str | None = None
) -> None:
    """Add an access event about the account `email` to the session (the caller commits)."""
    db.session.add(
        AccessEvent(
            kind=kind,
            email=printable(email, EMAIL_MAX),
            user_id=user.id if user is not None else None,
            actor_id=acting_user_id(),
            address=client_address(),
            detail=printable(detail, DETAIL_MAX) if detail else None,
        )
    )


def access_changes(user: User) -> list[tuple[AccessEventKind, str | None]]:
    """The role change and (de)activation an unsaved update of `user` makes, with their details."""
    state: InstanceState[User] = inspect(user)
    changes: list[tuple[AccessEventKind, str | None]] = []
    role = state.attrs.role.history
    if role.has_changes() and role.deleted and role.deleted[0] != user.role:
        changes.append(
            (AccessEventKind.ROLE_CHANGED, f"{role_label(role.deleted[0])} → {role_label(user.role)}")
        )
    active = state.attrs.active.history
    if active.has_changes() and active.deleted and bool(active.deleted[0]) != bool(user.active):
        changes.append((AccessEventKind.ACTIVATED if user.active else AccessEventKind.DEACTIVATED, None))
    return changes


def role_label(role: object) -> str:
    """`admin` → `Admin`."""
    return str(getattr(role, "value", role)).capitalize()


def _record_access_changes(mapper: object, connection: Connection, user: User) -> None:
    rows = [
        {
            "kind": kind,
            "email": user.email,
            "user_id": user.id,
            "actor_id": acting_user_id(),
            "address": client_address(),
            "detail": detail,
        }
        for kind, detail in access_changes(user)
    ]
    if rows:
        connection.execute(AccessEvent.__table__.insert(), rows)


def init_app() -> None:
    """Record every role change and (de)activation of a user, once per process."""
    if not event.contains(User, "before_update", _record_access_changes):
        event.listen(User, "before_update", _record_access_changes)
