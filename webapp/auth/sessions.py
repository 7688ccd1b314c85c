"""Console sessions that can be ended: a per-user session version, and idle and absolute lifetimes.

Flask keeps the session in a signed cookie, which the server cannot delete. Each user has a
`session_version` (a column on users); the cookie carries the version it was signed in with (Flask-Login's
user id is `"<uuid>:<version>"`), and the user loader, which reads the user's row on every request anyway,
refuses a cookie whose version is no longer the user's. Signing out, a new password, a new role and
deactivation raise the version, so every existing session of that user ends at once, in every web process.

Why not server-side sessions in Redis: they would cost a Redis read per request on top of the user's
row, a Redis outage or restart without its data would sign everyone out, and ending "all of a user's
sessions" would need an index of sessions per user. The version needs one integer column and no new
moving part.

The cookie also carries when the session began and when it was last used: a session idle for more than
SESSION_IDLE_MINUTES, or older than SESSION_MAX_HOURS, is refused and must sign in again.
"""

from __future__ import annotations

import time
import uuid

from flask import Flask, Request, current_app, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from webapp.extensions import db
from webapp.models import User
from webapp.stateless import stateless_paths


class ConsoleSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, none for a stateless route (`webapp.stateless`): Flask then gives the
    request its null session, which reads empty, refuses writes and is never saved."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path in stateless_paths(app):
            return None
        return super().open_session(app, request)


SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"


def clock() -> float:
    """Seconds since the epoch (the tests replace it to move time forward)."""
    return time.time()


def begin(user: User) -> None:
    """Start the lifetimes of the session `user` just signed in with."""
    now = clock()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def is_expired(now: float) -> bool:
    """Whether this session has been idle, or alive, for longer than the settings allow."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if not isinstance(signed_in_at, int | float) or not isinstance(last_seen_at, int | float):
        return True
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    max_age = current_app.config["SESSION_MAX_HOURS"] * 3600
    return now - last_seen_at > idle_limit or now - signed_in_at > max_age


def load_session_user(session_id: str) -> User | None:
    """Return the user of the session id `"<uuid>:<version>"`, or None when the session has ended."""
    user_id, _, version = session_id.partition(":")
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    now = clock()
    if user is None or version != str(user.session_version or 0) or not user.is_active or is_expired(now):
        return None
    session[LAST_SEEN_AT] = now
    return user
