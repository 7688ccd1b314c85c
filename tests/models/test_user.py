"""User: e-mail rules, roles and password hashing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from harness.waits import wait_until
from tests.fixtures.web import make_user
from webapp.extensions import db
from webapp.models import Role, User, ValidationError, commit_or_raise
from webapp.models.user import last_admin_refusal


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


LAST_ADMIN = (
    "{} is the last active admin: make another user an admin before changing their role or deactivating them."
)


@pytest.mark.parametrize("change", [{"role": Role.OPERATOR}, {"active": False}])
def test_the_last_active_admin_is_neither_demoted_nor_deactivated(app, change):
    admin = make_user("admin@example.com", Role.ADMIN)
    make_user("retired@example.com", Role.ADMIN, active=False)
    for name, value in change.items():
        setattr(admin, name, value)
    assert last_admin_refusal(admin) == LAST_ADMIN.format("admin@example.com")


def test_an_admin_with_another_active_admin_may_be_demoted_and_others_changed_freely(app):
    first = make_user("first@example.com", Role.ADMIN)
    make_user("second@example.com", Role.ADMIN)
    operator = make_user("operator@example.com", Role.OPERATOR)
    first.role = Role.VIEWER
    operator.active = False
    assert last_admin_refusal(first) is None
    assert last_admin_refusal(operator) is None


def waiting_on_a_lock() -> bool:
    """Whether some connection to the test database waits for a row lock."""
    with db.engine.connect() as connection:
        query = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return bool(connection.scalar(query))


@pytest.mark.postgres_only
def test_two_admins_demoting_each_other_at_once_leave_one_admin(app):
    first = make_user("first@example.com", Role.ADMIN)
    second = make_user("second@example.com", Role.ADMIN)
    second.role = Role.OPERATOR
    assert last_admin_refusal(second) is None  # the first admin's request, not yet committed
    refusals: list[str | None] = []

    def second_demotes_first() -> None:
        with app.app_context():
            other = db.session.get(User, first.id)
            other.role = Role.OPERATOR
            refusals.append(last_admin_refusal(other))
            db.session.rollback()

    concurrent = threading.Thread(target=second_demotes_first)
    concurrent.start()
    wait_until(waiting_on_a_lock, 10, "the second request to wait for the first")
    db.session.commit()
    concurrent.join(timeout=10)
    assert refusals == [LAST_ADMIN.format("first@example.com")]
