"""A failed provision is no dead end, in Chromium: its business's page offers numbers near the area code it
wanted, and the operator buys one of them."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity
from tests.browser.axe import axe_source, wcag_violations
from tests.browser.test_console import JOB_TIMEOUT_MS, sign_in
from tests.factories import make_business
from tests.fixtures.live_server import screenshot
from tests.jobs.helpers import numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityStatus, Role

expect = pytest.importorskip("playwright.sync_api").expect


def blocking_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [v.describe() for v in wcag_violations(page, axe_source()) if v.blocking]


def test_operator_buys_a_number_near_the_area_code_a_provision_found_empty(
    page, live_server, start_worker, sandbox
):
    business = make_business("Mission Bakery", preferred_area_code="628")
    start_worker()
    assert wait_for_activity(enqueue_provision(business, None).id).status == ActivityStatus.FAILED
    sign_in(page, live_server, Role.OPERATOR)
    page.goto(f"{live_server}/admin/business/details/?id={business.id}")

    offers = page.locator("#provision-alternatives")
    expect(offers.get_by_role("link")).to_have_text(
        ["Numbers within 50 miles of area code 628", "Numbers elsewhere in CA", "Choose a number…"]
    )
    assert not blocking_violations(page)
    screenshot(page, "provision-alternatives")
    offers.get_by_role("link", name="Numbers within 50 miles of area code 628").click()

    results = page.locator("#available-numbers tbody tr")
    expect(results.first).to_contain_text("(415) 555-0100")
    expect(page.get_by_label("Within miles of it")).to_have_value("50")
    assert not blocking_violations(page)
    results.first.get_by_role("button", name="Buy this number: (415) 555-0100").click()

    expect(page.locator(".live-status [data-field=status]").first).to_have_text(
        "Succeeded", timeout=JOB_TIMEOUT_MS
    )
    assert [number.e164 for number in numbers_of(business.id)] == ["+14155550100"]
