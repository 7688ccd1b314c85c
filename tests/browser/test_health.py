"""The Health panel in Chromium: an operator's test call finds the dead webhook, the sweep marks it in the
lists and the dashboard, and a viewer sees the panel without the test-call button."""

from __future__ import annotations

from typing import Any

import pytest

from harness.waits import wait_for_activity
from tests.browser.test_console import latest_activity, sign_in
from tests.browser.test_layout import PHONE, SIDEWAYS
from tests.factories import make_business
from tests.fixtures.live_server import screenshot
from tests.jobs.helpers import buy_at_sandbox, record
from webapp.models import ActivityKind, ActivityStatus, Role

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    return {**app_settings, "TWILIO_TEST_CALLER": "+15005550006"}


def test_a_test_call_and_a_sweep_show_the_dead_webhook_everywhere(
    page, live_server, start_worker, sandbox, closed_voice_url
):
    business = make_business("Dead Webhook Co")
    dead_url = closed_voice_url
    number = record(business, buy_at_sandbox(business, voice_url=dead_url))
    start_worker()
    sign_in(page, live_server, Role.OPERATOR)

    page.goto(f"{live_server}/admin/phonenumber/details/?id={number.id}")
    page.click("button[data-action=test-call]")
    expect(page.locator(".alert-success")).to_contain_text("Placing a test call to")
    assert wait_for_activity(latest_activity(ActivityKind.TEST_CALL).id, 60).status == ActivityStatus.FAILED
    page.reload()
    panel = page.locator("[data-health-panel]")
    expect(panel.locator("[data-field=test-call]")).to_contain_text(
        f"Twilio could not reach {dead_url}: connection refused (11200)."
    )
    expect(panel.locator("[data-field=failed-requests]")).to_contain_text("HTTP retrieval failure")
    screenshot(page, "number-health-dead-webhook")
    screen = page.viewport_size
    page.set_viewport_size(PHONE)
    assert page.evaluate(SIDEWAYS) == 0, "the Health panel, URLs and all, fits a phone"
    page.set_viewport_size(screen)

    page.goto(f"{live_server}/admin/phonenumber/")
    page.click("button[data-action=check-health]")
    assert wait_for_activity(latest_activity(ActivityKind.HEALTH_SWEEP).id).status == ActivityStatus.SUCCEEDED
    page.reload()
    expect(page.locator("tr", has_text=number.formatted).locator(".badge-danger")).to_have_text(
        "Webhook failing"
    )
    page.goto(f"{live_server}/admin/business/")
    expect(page.locator("tr", has_text="Dead Webhook Co").locator(".badge-danger")).to_have_text(
        "Webhook failing"
    )
    page.goto(f"{live_server}/admin/")
    expect(page.locator("#webhooks-failing .count")).to_have_text("1")


def test_a_viewer_sees_the_panel_without_the_test_call_button(page, live_server, sandbox):
    business = make_business("Viewed Co")
    number = record(business, buy_at_sandbox(business))
    sign_in(page, live_server, Role.VIEWER)

    page.goto(f"{live_server}/admin/phonenumber/details/?id={number.id}")

    expect(page.locator("[data-health-panel] h2")).to_have_text(f"Health of {number.formatted}")
    expect(page.locator("button[data-action=refresh-health]")).to_have_count(1)
    expect(page.locator("button[data-action=test-call]")).to_have_count(0)
