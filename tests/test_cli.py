"""The `users create` and `seed-demo` commands."""

from __future__ import annotations

import pytest

from webapp.extensions import db
from webapp.models import Activity, Business, BusinessStatus, Role, User


def test_users_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "Ops@Example.com", "--role", "operator", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.email, user.role) == ("ops@example.com", Role.OPERATOR)
    assert user.check_password("a long enough password")
    assert "a long enough password" not in result.output


def test_users_create_prompts_for_the_password(runner):
    result = runner.invoke(args=["users", "create", "a@example.com"], input="passw0rd-123\npassw0rd-123\n")
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(User.role)).scalar_one() == Role.VIEWER


def test_users_create_refuses_a_duplicate(runner):
    runner.invoke(args=["users", "create", "a@example.com", "--password-stdin"], input="passw0rd-123\n")
    result = runner.invoke(
        args=["users", "create", "A@example.com", "--password-stdin"], input="passw0rd-123\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_users_create_refuses_a_look_alike_e_mail(runner):
    runner.invoke(args=["users", "create", "admin@example.com", "--password-stdin"], input="passw0rd-123\n")
    result = runner.invoke(
        args=["users", "create", "ad\u043cin@example.com", "--password-stdin"], input="passw0rd-123\n"
    )
    assert result.exit_code == 1
    assert "E-mail must use ASCII characters only" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_users_create_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["users", "create", "a@example.com", "--role", "root", "--password-stdin"])
    assert result.exit_code != 0
    assert "root" in result.output and "viewer" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("short", "at least 12 characters"),
        ("a@example.com", "must not be the e-mail"),
        ("qwertyuiop123", "most common passwords"),
    ],
)
def test_users_create_refuses_a_weak_password(runner, password, refusal):
    result = runner.invoke(
        args=["users", "create", "a@example.com", "--password-stdin"], input=f"{password}\n"
    )
    assert result.exit_code == 1
    assert refusal in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_seed_demo_is_idempotent_and_mixed(runner):
    first = runner.invoke(args=["seed-demo", "--businesses", "24", "--with-admin"])
    assert first.exit_code == 0, first.output
    assert "password:" in first.output
    second = runner.invoke(args=["seed-demo", "--businesses", "24", "--with-admin"])
    assert "0 businesses added" in second.output and "password:" not in second.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 24
    statuses = set(db.session.scalars(db.select(Business.status)))
    assert statuses == set(BusinessStatus)
    provisioned = set(db.session.scalars(db.select(Activity.business_id)))  # once, by the first run
    active = db.session.scalars(db.select(Business.id).filter_by(status=BusinessStatus.ACTIVE)).all()
    assert 0 < len(provisioned) < len(active) and provisioned <= set(active)
