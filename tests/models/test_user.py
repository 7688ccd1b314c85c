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


def test_short_password_is_refused(app):
    with pytest.raises(ValidationError, match="at least 8"):
        User(email="a@example.com").set_password("short")


def test_roles_are_ordered():
    user = User(email="a@example.com", role=Role.OPERATOR)
    assert user.has_role(Role.VIEWER) and user.has_role(Role.OPERATOR)
    assert not user.has_role(Role.ADMIN)


def test_deactivated_user_is_not_active(app):
    assert not make_user(active=False).is_active
