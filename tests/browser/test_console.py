"""The console in Chromium: provision, watch the job live, re-sync, check all, roles, a failed provision."""

from __future__ import annotations

import re

import pytest

from harness.waits import wait_for_activity
from tests.factories import make_business
from tests.fixtures.live_server import screenshot
from tests.fixtures.web import TEST_PASSWORD, make_user
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, Role

JOB_TIMEOUT_MS = 30_000
FORMATTED = re.compile(r"^\(\d{3}\) \d{3}-\d{4}$")

expect = pytest.importorskip("playwright.sync_api").expect


def sign_in(page, live_server: str, role: Role) -> None:  # type: ignore[no-untyped-def]
    email = f"{role.value}@example.com"
    make_user(email, role)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    expect(page.locator("nav")).to_contain_text(email)


def latest_activity(kind: ActivityKind) -> Activity:
    db.session.rollback()
    query = db.select(Activity).where(Activity.kind == kind).order_by(Activity.created_at.desc())
    return db.session.scalars(query).first()


def test_operator_provisions_watches_it_live_resyncs_and_checks_all(page, live_server, start_worker, sandbox):
    make_business("Acme Plumbing", preferred_area_code="415")
    sign_in(page, live_server, Role.OPERATOR)
    screenshot(page, "dashboard-operator")
    expect(page.locator(".sandbox-banner")).to_contain_text("Sandbox — no real numbers are bought")

    page.goto(f"{live_server}/admin/business/")
    row = page.locator("tr", has_text="Acme Plumbing")
    screenshot(page, "businesses-operator")
    row.locator("button[data-action=provision]").click()

    # No worker yet: the page shows the job queued; it must then change without a reload.
    panel = page.locator(".live-status")
    expect(panel.locator("[data-field=status]")).to_have_text("Queued")
    expect(page.locator(".alert-success")).to_contain_text("Provisioning a number for Acme Plumbing.")
    screenshot(page, "business-provision-queued")
    page.evaluate("window.stillTheSamePage = true")
    start_worker()
    expect(panel.locator("[data-field=status]")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    number = page.locator("[data-number-panel] a.phone-number")
    expect(number).to_have_text(FORMATTED)
    badges = page.locator("[data-number-panel] .capability-on")
    expect(badges.filter(has_text="Voice")).to_have_count(1)
    expect(badges.filter(has_text="SMS")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot(page, "business-provision-succeeded")

    number.click()
    expect(page.locator("h1")).to_have_text(FORMATTED)
    page.locator("button[data-action=resync]").click()
    expect(page.locator(".alert-success")).to_contain_text("Re-syncing the webhook of")
    resync = wait_for_activity(latest_activity(ActivityKind.WEBHOOK_RESYNC).id)
    assert resync.status == ActivityStatus.SUCCEEDED, resync.error
    screenshot(page, "number-details-resync")

    page.goto(f"{live_server}/admin/phonenumber/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[data-action=check-all]").click()
    progress = page.locator(".live-status")
    expect(progress.locator("[data-field=status]")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    expect(progress.locator(".progress-bar")).to_have_attribute("aria-valuenow", "100")
    expect(progress.locator("[data-field=progress-text]")).to_have_text("1 of 1")
    expect(page.locator("td.col-webhook_status")).to_contain_text("In sync")
    screenshot(page, "numbers-check-all-finished")

    page.goto(f"{live_server}/admin/activity/")
    expect(page.locator("td.col-status").first).to_contain_text("Succeeded")
    screenshot(page, "activity-operator")


def test_viewer_sees_no_action_buttons(page, live_server):
    make_business("Acme Plumbing")
    sign_in(page, live_server, Role.VIEWER)
    for name, path in [
        ("dashboard-viewer", "/admin/"),
        ("businesses-viewer", "/admin/business/"),
        ("numbers-viewer", "/admin/phonenumber/"),
        ("activity-viewer", "/admin/activity/"),
    ]:
        page.goto(f"{live_server}{path}")
        expect(page.locator("form[method=post] button[data-action]")).to_have_count(0)
        expect(page.get_by_text("With selected")).to_have_count(0)
        screenshot(page, name)


def test_a_failed_provision_shows_the_error_and_retry(page, live_server, start_worker, sandbox):
    sandbox.set_pool_size(0)
    business = make_business("Nowhere Numbers", preferred_area_code="415")
    start_worker()
    sign_in(page, live_server, Role.OPERATOR)
    page.goto(f"{live_server}/admin/business/details/?id={business.id}")
    page.locator("button[data-action=provision]").click()
    panel = page.locator(".live-status")
    expect(panel.locator("[data-field=status]")).to_have_text("Failed", timeout=JOB_TIMEOUT_MS)
    expect(panel.locator("[data-field=error]")).to_be_visible()
    expect(panel.locator("[data-field=error-text]")).not_to_be_empty()
    expect(panel.locator("button[data-action=retry]")).to_be_visible()
    screenshot(page, "business-provision-failed")

    sandbox.set_pool_size(50)
    panel.locator("button[data-action=retry]").click()
    expect(page.locator(".alert-success")).to_contain_text("Provision queued again.")
    expect(page.locator(".live-status [data-field=status]")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("[data-number-panel] a.phone-number")).to_have_text(FORMATTED)
    screenshot(page, "business-provision-retried")
