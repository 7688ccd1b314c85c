"""A number's life in Chromium: choose one from a search and buy it; its business is not deleted while it
holds it."""

from __future__ import annotations

import pytest

from tests.browser.test_console import JOB_TIMEOUT_MS, sign_in
from tests.factories import make_business
from tests.fixtures.live_server import screenshot
from tests.jobs.helpers import buy_at_sandbox, numbers_of, record
from webapp.models import Role

expect = pytest.importorskip("playwright.sync_api").expect


def test_operator_chooses_a_number_and_buys_it(page, live_server, start_worker, sandbox):
    business = make_business("Brooklyn Bagels")
    sign_in(page, live_server, Role.OPERATOR)
    page.goto(f"{live_server}/admin/business/details/?id={business.id}")
    page.get_by_role("link", name="Choose a number…").click()

    page.get_by_label("Area code", exact=True).fill("718")
    page.get_by_label("SMS", exact=True).check()
    page.get_by_role("button", name="Search").click()
    results = page.locator("#available-numbers tbody tr")
    expect(results).to_have_count(30)
    expect(page.locator("#results-note")).to_contain_text("refine the search")
    first = results.first
    expect(first).to_contain_text("(718) 555-0100")
    expect(first).to_contain_text("Brooklyn")
    expect(first).to_contain_text("Address required")
    screenshot(page, "choose-number-results")

    page.get_by_label("Contains", exact=True).fill("*****0123")
    page.get_by_role("button", name="Search").click()
    expect(results).to_have_count(1)
    start_worker()
    results.first.get_by_role("button", name="Buy this number: (718) 555-0123").click()

    expect(page.locator(".alert-success")).to_contain_text("Buying (718) 555-0123 for Brooklyn Bagels.")
    panel = page.locator(".live-status")
    expect(panel.locator("[data-field=status]")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("[data-number-panel] a.phone-number")).to_have_text("(718) 555-0123")
    screenshot(page, "choose-number-bought")
    [number] = numbers_of(business.id)
    assert number.e164 == "+17185550123"
    assert [n["phone_number"] for n in sandbox.owned_numbers()] == ["+17185550123"]


def test_admin_cannot_delete_a_business_that_holds_a_number(page, live_server, sandbox):
    business = make_business("Harbor Dental")
    number = record(business, buy_at_sandbox(business))
    sign_in(page, live_server, Role.ADMIN)
    page.goto(f"{live_server}/admin/business/")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_title("Delete Record").click()

    refusal = page.locator(".alert-danger")
    expect(refusal).to_contain_text(
        f"Harbor Dental still holds {number.formatted}, which Twilio bills every month: release the number "
        "or move it to another business first, then delete the business."
    )
    screenshot(page, "business-delete-refused")
    assert [n.twilio_sid for n in numbers_of(business.id)] == [number.twilio_sid]
    assert [n["sid"] for n in sandbox.owned_numbers()] == [number.twilio_sid]

    move = refusal.get_by_role("link", name="Move it to another business…")
    expect(move).to_have_attribute("href", f"/admin/phonenumber/move/?id={number.id}")
    refusal.get_by_role("link", name=f"Release {number.formatted}…").click()
    expect(page.get_by_label(f"Last four digits of {number.formatted}")).to_be_visible()
