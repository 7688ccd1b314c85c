"""`seed-demo`: on the sandbox its numbers are really bought there and in sync; on a real account, none."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity, wait_until_nothing_in_flight
from harness.workers import FAST_JOB_SETTINGS
from webapp.cli.seed import DEMO_ADMIN_EMAIL
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_check
from webapp.models import Activity, ActivityStatus, Business, PhoneNumber, WebhookStatus

DEMO_NUMBERS = 3
"""How many of 24 demo businesses get a number (the active ones at every eighth place)."""


@pytest.fixture
def app_settings(app_settings: dict, sandbox) -> dict:  # type: ignore[no-untyped-def]
    """The app on the test's sandbox as `make run` has it: no Twilio account set, the sandbox's port."""
    return {**app_settings, **FAST_JOB_SETTINGS, "TWILIO_SANDBOX_PORT": str(sandbox.port)}


def rows(model: type) -> list:
    db.session.rollback()
    return list(db.session.scalars(db.select(model)))


def test_seed_demo_numbers_exist_at_the_sandbox_and_the_first_check_finds_them_in_sync(
    app, runner, sandbox, start_worker
):
    result = runner.invoke(args=["seed-demo", "--businesses", "24"])
    assert result.exit_code == 0, result.output
    assert f"Demo numbers: {DEMO_NUMBERS} provisions queued" in result.output
    start_worker()
    wait_until_nothing_in_flight(60)
    provisions = rows(Activity)
    assert [a.status for a in provisions] == [ActivityStatus.SUCCEEDED] * DEMO_NUMBERS, provisions

    check = wait_for_activity(enqueue_check(None, None).id, 60)

    assert check.status == ActivityStatus.SUCCEEDED, check.error
    numbers = rows(PhoneNumber)
    assert len(numbers) == DEMO_NUMBERS
    assert {n.webhook_status for n in numbers} == {WebhookStatus.IN_SYNC}
    assert {n.twilio_sid for n in numbers} == {owned["sid"] for owned in sandbox.owned_numbers()}
    assert check.result["counts"][WebhookStatus.IN_SYNC.value] == DEMO_NUMBERS


def test_seed_demo_buys_no_number_on_a_real_twilio_account(app_settings, runner, app):
    app.config.update(TWILIO_SANDBOX=False, TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="real")
    result = runner.invoke(args=["seed-demo", "--businesses", "24", "--with-admin"])
    assert result.exit_code == 0, result.output
    assert f"Real Twilio account: no demo numbers bought ({DEMO_NUMBERS} would have been)" in result.output
    assert f"Demo admin: {DEMO_ADMIN_EMAIL}" in result.output
    assert len(rows(Business)) == 24
    assert rows(PhoneNumber) == [] and rows(Activity) == []
