"""In Chromium, one live update of a job refreshes every place on the business page that shows it."""

from __future__ import annotations

import pytest

from tests.browser.test_console import JOB_TIMEOUT_MS, latest_activity, sign_in
from tests.factories import make_business
from webapp.models import ActivityKind, Role

expect = pytest.importorskip("playwright.sync_api").expect


def test_status_card_activity_row_and_number_agree_without_a_reload(page, live_server, start_worker, sandbox):
    sandbox.set_pool_size(0)  # the first provision fails: no number to buy
    business = make_business("Harbor Pediatrics", preferred_area_code="415")
    sign_in(page, live_server, Role.OPERATOR)
    page.goto(f"{live_server}/admin/business/details/?id={business.id}")
    page.locator("button[data-action=provision]").click()
    card = page.locator(".live-status")
    expect(card.locator("[data-field=status]")).to_have_text("Queued")
    failed = latest_activity(ActivityKind.PROVISION).id
    expect(page.locator(f'[data-live-attempts-for="{failed}"]')).to_have_text("0")
    page.evaluate("window.stillTheSamePage = true")
    worker = start_worker()

    expect(card.locator("[data-field=status]")).to_have_text("Failed", timeout=JOB_TIMEOUT_MS)
    error = latest_activity(ActivityKind.PROVISION).error
    expect(card.locator("[data-field=attempts]")).to_have_text("1")
    expect(card.locator("[data-field=error-text]")).to_have_text(error)
    expect(card.locator("[data-field=progress-text]")).to_have_text("Buying")
    expect(page.locator(f'.activity-history [data-live-status-for="{failed}"]')).to_have_text("Failed")
    expect(page.locator(f'[data-live-attempts-for="{failed}"]')).to_have_text("1")
    expect(page.locator(f'[data-live-error-for="{failed}"] span')).to_have_attribute("title", error)
    assert page.evaluate("window.stillTheSamePage") is True

    worker.stop()
    sandbox.set_pool_size(50)
    card.locator("button[data-action=retry]").click()
    expect(card.locator("[data-field=status]")).to_have_text("Queued")
    retried = latest_activity(ActivityKind.PROVISION).id
    page.evaluate("window.stillTheSamePage = true")
    start_worker()

    expect(card.locator("[data-field=status]")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    expect(card.locator("[data-field=progress-text]")).to_have_text("Done")
    expect(card.locator("[data-field=error]")).to_be_hidden()
    expect(page.locator("[data-number-panel] .badge", has_text="In sync")).to_have_count(1)
    expect(page.locator(f'.activity-history [data-live-status-for="{retried}"]')).to_have_text("Succeeded")
    expect(page.locator(f'[data-live-attempts-for="{retried}"]')).to_have_text("1")
    expect(page.locator(f'[data-live-error-for="{retried}"]')).to_be_empty()
    assert page.evaluate("window.stillTheSamePage") is True
