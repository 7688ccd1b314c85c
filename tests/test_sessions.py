"""Sessions end: a cookie replayed after sign-out or an access change is refused; so is one too old."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.web import csrf_token
from tests.fixtures.web import AuthActions, make_user
from webapp.auth import sessions
from webapp.config import SettingsError, load_settings
from webapp.extensions import db
from webapp.models import Role, User


def signed_in_client(app: Flask, email: str, role: Role = Role.VIEWER) -> FlaskClient:
    """A client signed in as `email`, in an app context of its own (Flask-WTF caches a CSRF token in `g`)."""
    client = app.test_client()
    with app.app_context():
        response = AuthActions(client).login(role, email)
    assert response.status_code == 302, "the sign-in failed"
    assert client.get("/admin/").status_code == 200
    return client


def replay(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second client holding a copy of `client`'s session cookie, as an attacker who copied it would."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def opens_the_console(client: FlaskClient) -> bool:
    """Whether the console opens, in a fresh app context as a real request has (no user cached before)."""
    with client.application.app_context():
        return client.get("/admin/").status_code == 200


def edit_user(admin: FlaskClient, user: User, **changes: str) -> None:
    form = {"email": user.email, "role": user.role.value, "active": "y", "password": ""}
    form.update(changes)
    form = {name: value for name, value in form.items() if value is not None}
    with admin.application.app_context():
        form["csrf_token"] = csrf_token(admin)
        response = admin.post(f"/admin/user/edit/?id={user.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_cookie_replayed_after_sign_out_is_refused(app):
    client = signed_in_client(app, "agent@example.com")
    stolen = replay(app, client)
    assert opens_the_console(stolen)
    with app.app_context():
        AuthActions(client).logout()
    assert not opens_the_console(stolen)
    assert not opens_the_console(client)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"role": "operator"}, id="role-change"),
        pytest.param({"active": None}, id="deactivation"),
        pytest.param({"password": "a brand new long password"}, id="password-change"),
    ],
)
def test_an_access_change_ends_the_users_existing_sessions(app, changes):
    target = make_user("agent@example.com", Role.VIEWER)
    client = signed_in_client(app, "agent@example.com")
    stolen = replay(app, client)
    admin = signed_in_client(app, "admin@example.com", Role.ADMIN)
    edit_user(admin, target, **changes)
    assert not opens_the_console(stolen)
    assert not opens_the_console(client)
    assert opens_the_console(admin), "the admin's own session was ended too"


def test_an_unchanged_edit_keeps_the_users_sessions(app):
    target = make_user("agent@example.com", Role.VIEWER)
    client = signed_in_client(app, "agent@example.com")
    admin = signed_in_client(app, "admin@example.com", Role.ADMIN)
    edit_user(admin, target)
    assert opens_the_console(client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The sessions' clock, frozen at now; add seconds to `clock[0]` to move it on."""
    now = [time.time()]
    monkeypatch.setattr(sessions, "clock", lambda: now[0])
    return now


def test_a_session_ends_after_the_idle_time(app, clock):
    client = signed_in_client(app, "agent@example.com")
    clock[0] += 59 * 60
    assert opens_the_console(client), "a request within the idle time keeps the session"
    clock[0] += 59 * 60
    assert opens_the_console(client)
    clock[0] += 61 * 60
    assert not opens_the_console(client)


def test_a_busy_session_still_ends_after_the_max_time(app, clock):
    client = signed_in_client(app, "agent@example.com")
    for _ in range(12 * 60 // 50):
        clock[0] += 50 * 60
        assert opens_the_console(client)
    clock[0] += 50 * 60
    assert not opens_the_console(client)


def test_the_lifetimes_are_settings():
    settings = load_settings({"SESSION_IDLE_MINUTES": "5", "SESSION_MAX_HOURS": "1"})
    assert (settings["SESSION_IDLE_MINUTES"], settings["SESSION_MAX_HOURS"]) == (5, 1)
    with pytest.raises(SettingsError, match="SESSION_IDLE_MINUTES"):
        load_settings({"SESSION_IDLE_MINUTES": "an hour"})


def test_sign_out_ends_the_session_in_the_database(app):
    client = signed_in_client(app, "agent@example.com")
    with app.app_context():
        AuthActions(client).logout()
    db.session.expire_all()
    user = db.session.execute(db.select(User).filter_by(email="agent@example.com")).scalar_one()
    assert user.session_version == 1
