"""Test calls against the sandbox, which really requests the number's voice URL: a refused webhook gives
the 11200 verdict and shows on the Health panel; re-synced to a URL the test serves, the call passes."""

from __future__ import annotations

from typing import Any

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business
from tests.fixtures.voice_server import VoiceServer
from tests.fixtures.web import csrf_token
from tests.jobs.helpers import buy_at_sandbox, record
from tests.sandbox.helpers import api_request
from webapp.admin.number_health import NO_TEST_CALLER_FOR_OPERATORS
from webapp.extensions import db
from webapp.jobs.enqueue import NO_TEST_CALLER
from webapp.jobs.enqueue.health import enqueue_test_call
from webapp.jobs.enqueue.kinds import enqueue_resync
from webapp.jobs.reads.health_cache import load_health
from webapp.models import Activity, ActivityKind, ActivityStatus, Role, ValidationError

TEST_CALLER = "+15005550006"
"""Twilio's magic test number: an account may call from it without owning it (the sandbox agrees)."""


@pytest.fixture
def app_settings(app_settings: dict[str, Any], voice_server: VoiceServer) -> dict[str, Any]:
    return {**app_settings, "TWILIO_VOICE_URL": voice_server.url, "TWILIO_TEST_CALLER": TEST_CALLER}


def test_a_refused_webhook_fails_the_test_call_and_a_resynced_one_passes(
    app, sandbox, start_worker, voice_server: VoiceServer, runner, closed_voice_url: str
):
    business = make_business()
    dead_url = closed_voice_url
    number = record(business, buy_at_sandbox(business, voice_url=dead_url))
    start_worker()

    failed = wait_for_activity(enqueue_test_call(number, None).id, timeout=60)

    assert failed.status == ActivityStatus.FAILED
    assert failed.error == f"Twilio could not reach {dead_url}: connection refused (11200)."
    [failure] = load_health(number.id)["failed_requests"]
    assert (failure["code"], failure["url"]) == ("11200", dead_url)

    assert wait_for_activity(enqueue_resync(number, None).id).status == ActivityStatus.SUCCEEDED
    printed = runner.invoke(args=["numbers", "test-call", number.e164, "--wait", "--timeout", "60"])

    assert printed.exit_code == 0, printed.output
    assert "verdict=Your voice URL answered 200 in " in printed.output and " ms." in printed.output
    assert [r["To"] for r in voice_server.requests] == [number.e164]
    assert len(sandbox_calls_from(sandbox, TEST_CALLER)) == 4  # two test calls, each outbound and inbound


def sandbox_calls_from(sandbox, caller: str) -> list[dict[str, Any]]:
    return api_request(sandbox, "GET", "/Calls.json", params={"From": caller}).json()["calls"]


def test_viewers_see_the_panel_but_cannot_place_test_calls(app, client, auth):
    business = make_business()
    number = record(business, buy_at_sandbox(business))
    auth.login(Role.VIEWER)
    page = client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(as_text=True)

    refused = client.post(
        "/admin/phonenumber/health/test-call/", data={"id": number.id, "csrf_token": csrf_token(client)}
    )

    assert "Health of" in page and "Place a test call" not in page
    assert refused.status_code == 403
    db.session.rollback()
    assert db.session.scalars(db.select(Activity).filter_by(kind=ActivityKind.TEST_CALL)).all() == []
    auth.login(Role.OPERATOR, "operator@example.com")
    assert 'data-action="test-call"' in client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(
        as_text=True
    )


def test_without_a_test_caller_the_button_says_why_and_admins_what_to_set(app, client, auth):
    app.config["TWILIO_TEST_CALLER"] = ""
    business = make_business()
    number = record(business, buy_at_sandbox(business))
    auth.login(Role.OPERATOR)

    page = client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(as_text=True)
    auth.logout()
    auth.login(Role.ADMIN)
    admins_page = client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(as_text=True)

    assert NO_TEST_CALLER_FOR_OPERATORS in page and 'data-action="test-call"' not in page
    assert "TWILIO_TEST_CALLER" not in page  # operators read no setting's name; admins do
    assert NO_TEST_CALLER in admins_page and 'data-action="test-call"' not in admins_page
    with pytest.raises(ValidationError, match="TWILIO_TEST_CALLER"):
        enqueue_test_call(number, None)
