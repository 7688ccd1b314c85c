"""User: e-mail rules, roles and password hashing."""

from __future__ import annotations

import pytest

from tests.fixtures.web import make_user
from webapp.extensions import db
from webapp.models import Role, User, ValidationError, commit_or_raise


def test_password_is_stored_as_a_modern_hash(app):
    user = make_user(role=Role.OPERATOR)
    assert user.password_hash.startswith("scrypt:")
    assert "correct horse" not in user.password_hash
    assert user.check_password("correct horse battery staple")
    assert not user.check_password("wrong")


def test_email_is_unique_case_insensitively(app):
    make_user("Agent@Example.com")
    db.session.add(User(email="agent@EXAMPLE.com", password_hash="x"))
    with pytest.raises(ValidationError, match="already exists"):
        commit_or_raise(db.session)


@pytest.mark.parametrize(("field", "value"), [("email", "nope"), ("email", ""), ("role", "superuser")])
def test_bad_values_are_refused(app, field, value):
    with pytest.raises(ValidationError) as error:
        User(**{"email": "a@example.com", field: value})
    assert error.value.field == field


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("short", "at least 12 characters"),
        ("eleven char", "at least 12 characters"),
        ("Agent@Example.com", "must not be the e-mail"),
        ("qwertyuiop123", "most common passwords"),
        ("QwertyUiop123", "most common passwords"),
        ("international", "most common passwords"),
    ],
)
def test_weak_passwords_are_refused(app, password, refusal):
    user = User(email="agent@example.com")
    with pytest.raises(ValidationError, match=refusal) as error:
        user.set_password(password)
    assert error.value.field == "password" and user.password_hash is None


def test_the_common_password_list_ships_with_the_package():
    from webapp.models.passwords import common_passwords

    assert len(common_passwords()) > 10_000 and "password" in common_passwords()


def test_a_long_uncommon_password_is_accepted(app):
    user = User(email="agent@example.com")
    user.set_password("twelve chars")
    assert user.check_password("twelve chars")


def test_roles_are_ordered():
    user = User(email="a@example.com", role=Role.OPERATOR)
    assert user.has_role(Role.VIEWER) and user.has_role(Role.OPERATOR)
    assert not user.has_role(Role.ADMIN)


def test_deactivated_user_is_not_active(app):
    assert not make_user(active=False).is_active
