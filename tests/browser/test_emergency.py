"""Emergency addresses in Chromium: the service address form (a refused address, then a saved one) and the
number page with its emergency panel, each free of serious WCAG violations as axe-core measures them."""

from __future__ import annotations

import pytest

from tests.browser.axe import axe_source, wcag_violations
from tests.browser.test_console import sign_in
from tests.factories import make_business, make_number
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, EmergencyStatus, Role

expect = pytest.importorskip("playwright.sync_api").expect

REASON = "The address could not be matched in the 911 database. (Twilio error 21628)"


def blocking(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The serious or critical WCAG violations axe-core finds on the page, described."""
    return [violation.describe() for violation in wcag_violations(page, axe_source()) if violation.blocking]


@pytest.mark.once_in_ci  # the pages are the same on SQLite
def test_the_address_form_and_the_number_page_in_chromium(page, live_server):
    business = make_business("Bayview Dental")
    number = make_number(
        business,
        e164="+14155550100",
        emergency_address_status=EmergencyStatus.REGISTRATION_FAILURE.value,
        emergency_address_error=REASON,
    )
    db.session.add(
        Activity(
            kind=ActivityKind.EMERGENCY_ADDRESS,
            status=ActivityStatus.FAILED,
            phone_number=number,
            business=business,
            attempts=1,
            error=f"Twilio could not register the emergency address of (415) 555-0100: {REASON}",
            result={"action": "register"},
        )
    )
    db.session.commit()
    sign_in(page, live_server, Role.OPERATOR)

    page.goto(f"{live_server}/admin/business/details/?id={business.id}")
    page.get_by_role("link", name="Set service address…").click()
    page.get_by_label("Street").fill("1 Main St")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").fill("IL")
    page.get_by_label("ZIP code").fill("6270")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator("#address-error")).to_contain_text("ZIP code must be 5 digits")
    expect(page.get_by_label("ZIP code")).to_have_attribute("aria-invalid", "true")
    assert blocking(page) == []
    page.get_by_label("ZIP code").fill("62701")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator("[data-field=service-address]")).to_have_text("1 Main St, Springfield, IL 62701")

    page.goto(f"{live_server}/admin/phonenumber/details/?id={number.id}")
    panel = page.locator("#emergency-address")
    expect(panel.locator("[data-field=emergency-status]")).to_contain_text("Registration failed")
    expect(panel.locator("[data-field=emergency-error]")).to_contain_text(REASON)
    expect(panel.get_by_role("button", name="Register emergency address")).to_be_enabled()
    assert blocking(page) == []
