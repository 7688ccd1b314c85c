"""The `users create`, `users reset-password`, `seed-demo` and `numbers usage` commands."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import make_number
from tests.fixtures.web import make_user
from webapp.extensions import db
from webapp.models import Activity, Business, BusinessStatus, CallReport, PhoneNumber, Role, User, record_call
from webapp.models.base import utcnow


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


def test_users_reset_password_prints_a_generated_one_and_ends_the_sessions(runner):
    user = make_user("Agent@Example.com", Role.OPERATOR)
    version = user.session_version

    result = runner.invoke(args=["users", "reset-password", "AGENT@example.com"])

    assert result.exit_code == 0, result.output
    printed = re.fullmatch(r"New password for agent@example\.com: (\S+)\n", result.output)
    assert printed is not None, result.output
    db.session.refresh(user)
    assert user.check_password(printed.group(1)) and len(printed.group(1)) >= 12
    assert user.session_version == version + 1


def test_users_reset_password_reads_one_from_stdin_and_never_prints_it(runner):
    user = make_user("agent@example.com", Role.VIEWER)

    result = runner.invoke(
        args=["users", "reset-password", "agent@example.com", "--password-stdin"],
        input="a long new password\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output == "New password set for agent@example.com.\n"
    db.session.refresh(user)
    assert user.check_password("a long new password")


@pytest.mark.parametrize(
    ("email", "password", "refusal"),
    [
        ("nobody@example.com", "a long new password", "No user has the e-mail nobody@example.com."),
        ("agent@example.com", "short", "at least 12 characters"),
    ],
)
def test_users_reset_password_refusals_change_nothing(runner, email, password, refusal):
    user = make_user("agent@example.com", Role.VIEWER)
    old_hash = user.password_hash

    result = runner.invoke(args=["users", "reset-password", email, "--password-stdin"], input=f"{password}\n")

    assert result.exit_code == 1 and refusal in result.output
    db.session.refresh(user)
    assert user.password_hash == old_hash


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


def report(
    number: PhoneNumber, call_sid: str, status: str, seconds: int | None, days_ago: float
) -> CallReport:
    return CallReport(
        call_sid=call_sid,
        call_status=status,
        to_number=number.e164,
        from_number="+14155550199",
        direction="inbound",
        duration_seconds=seconds,
        occurred_at=utcnow().replace(microsecond=0) - timedelta(days=days_ago),
    )


def test_numbers_usage_prints_the_last_call_and_30_days_of_calls(runner):
    number, other = make_number(e164="+14155551234"), make_number()
    for args in [
        (number, "CA" + "1" * 32, "ringing", None, 3),
        (number, "CA" + "1" * 32, "completed", 42, 3),
        (number, "CA" + "2" * 32, "busy", 0, 1),
        (number, "CA" + "3" * 32, "completed", 100, 40),
        (other, "CA" + "4" * 32, "completed", 7, 1),
    ]:
        record_call(report(*args))

    result = runner.invoke(args=["numbers", "usage", "(415) 555-1234"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"(415) 555-1234 (+14155551234), {number.business.name}"
    assert lines[1].startswith("Last call: ") and lines[1].endswith(", busy, 0 s.")
    assert lines[2] == "Last 30 days: 2 calls, 1 completed, 42 s talk time."


def test_numbers_usage_of_a_number_without_calls_or_unknown(runner):
    make_number(e164="+14155551235")
    quiet = runner.invoke(args=["numbers", "usage", "+14155551235"])
    assert "Last call: none reported." in quiet.output
    assert "Last 30 days: 0 calls, 0 completed, 0 s talk time." in quiet.output
    unknown = runner.invoke(args=["numbers", "usage", "+14155559999"])
    assert unknown.exit_code == 1 and "No business has the number '+14155559999'." in unknown.output
