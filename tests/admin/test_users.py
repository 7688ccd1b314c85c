"""Admins create users, change their role, deactivate them and set passwords that are never echoed."""

from __future__ import annotations

import re
from html import unescape

import pytest

from harness.web import csrf_token
from tests.admin.helpers import page_text
from tests.fixtures.web import make_user
from webapp.extensions import db
from webapp.models import Role, User
from webapp.models.passwords import PASSWORD_RULE

PASSWORD = "a long new password"


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()


def test_admin_creates_a_user_whose_password_is_hashed(client, auth, app):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/user/new/",
        data={
            "email": "New@Example.com",
            "role": "operator",
            "active": "y",
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    created = user("new@example.com")
    assert created.role == Role.OPERATOR and created.check_password(PASSWORD)
    assert PASSWORD not in created.password_hash


def test_a_new_user_needs_a_password_of_twelve_characters(client, auth, app):
    auth.login(Role.ADMIN)
    token = csrf_token(client)
    missing = client.post(
        "/admin/user/new/", data={"email": "a@example.com", "role": "viewer", "csrf_token": token}
    )
    assert "Set a password for the new user." in page_text(missing)
    short = client.post(
        "/admin/user/new/",
        data={"email": "a@example.com", "role": "viewer", "password": "short", "csrf_token": token},
    )
    assert "Password must be at least 12 characters." in page_text(short)
    assert "short" not in page_text(short).split("<form")[1].split("</form>")[0].replace("Too short", "")
    assert user("a@example.com") is None


@pytest.mark.parametrize(
    ("password", "refusal"),
    [("new@example.com", "must not be the e-mail"), ("qwertyuiop123", "most common passwords")],
)
def test_the_users_page_refuses_a_weak_password(client, auth, app, password, refusal):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/user/new/",
        data={
            "email": "new@example.com",
            "role": "viewer",
            "password": password,
            "csrf_token": csrf_token(client),
        },
    )
    assert refusal in page_text(response)
    assert user("new@example.com") is None


def test_admin_changes_a_role_and_deactivates_without_touching_the_password(client, auth, app):
    target = make_user("someone@example.com", Role.VIEWER)
    old_hash = target.password_hash
    auth.login(Role.ADMIN)
    edit = page_text(client.get(f"/admin/user/edit/?id={target.id}"))
    assert old_hash not in edit and 'type="password"' in edit
    response = client.post(
        f"/admin/user/edit/?id={target.id}",
        data={
            "email": "someone@example.com",
            "role": "operator",
            "password": "",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    changed = user("someone@example.com")
    assert changed.role == Role.OPERATOR and changed.active is False and changed.password_hash == old_hash


def test_admins_cannot_lock_themselves_out(client, auth, app):
    auth.login(Role.ADMIN)
    me = user("admin@example.com")
    response = client.post(
        f"/admin/user/edit/?id={me.id}",
        data={
            "email": "admin@example.com",
            "role": "viewer",
            "active": "y",
            "csrf_token": csrf_token(client),
        },
    )
    assert "You cannot deactivate yourself or remove your own admin role." in page_text(response)
    assert user("admin@example.com").role == Role.ADMIN


def test_users_cannot_be_deleted(client, auth, app):
    target = make_user("someone@example.com")
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/user/delete/", data={"id": str(target.id), "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, "deleting is not offered: the view sends the admin back"
    assert user("someone@example.com") is not None


def test_the_new_user_form_asks_for_a_password_and_the_edit_form_offers_to_keep_it(client, auth, app):
    other = make_user("other@example.com", Role.VIEWER)
    auth.login(Role.ADMIN)

    new = unescape(page_text(client.get("/admin/user/new/")))
    edit = unescape(page_text(client.get(f"/admin/user/edit/?id={other.id}")))

    assert "Leave empty to keep the current password" not in new
    assert re.search(r"<label[^>]*>\s*Password\b", new) and PASSWORD_RULE in new
    assert "Leave empty to keep the current password" in edit
    assert re.search(r"<label[^>]*>\s*New password\b", edit)


def new_user_form(client, email: str) -> dict:  # type: ignore[no-untyped-def]
    return {"email": email, "role": "viewer", "password": PASSWORD, "csrf_token": csrf_token(client)}


def test_a_duplicate_e_mail_is_one_sentence_without_the_database_text(client, auth, app, caplog):
    make_user("taken@example.com")
    auth.login(Role.ADMIN)
    caplog.set_level("INFO")

    response = client.post("/admin/user/new/", data=new_user_form(client, "Taken@Example.com"))

    page = page_text(response)
    assert "A user with this e-mail already exists." in page
    for database_text in ("INSERT", "scrypt", "IntegrityError", "duplicate key", "UNIQUE constraint"):
        assert database_text not in page, database_text
    assert "scrypt" not in caplog.text and "INSERT" not in caplog.text
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_no_database_error_text_reaches_a_page_or_the_log(client, auth, app, caplog, monkeypatch):
    from sqlalchemy.exc import ProgrammingError

    auth.login(Role.ADMIN)
    caplog.set_level("INFO")

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ProgrammingError("INSERT INTO users ... secret-parameter", {"hash": "secret-parameter"}, None)

    monkeypatch.setattr(db.session, "commit", refuse)
    response = client.post("/admin/user/new/", data=new_user_form(client, "new@example.com"))

    assert response.status_code == 200
    assert "Nothing was changed: something went wrong on our side." in page_text(response)
    assert "secret-parameter" not in page_text(response) and "secret-parameter" not in caplog.text


@pytest.mark.parametrize(
    "look_alike", ["ad\u043cin@example.com", "admin@ex\u0430mple.com", "\uff41dmin@example.com"]
)
def test_a_look_alike_e_mail_is_refused_with_a_sentence(client, auth, app, look_alike):
    auth.login(Role.ADMIN)  # admin@example.com

    response = client.post("/admin/user/new/", data=new_user_form(client, look_alike))

    assert "E-mail must use ASCII characters only" in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
