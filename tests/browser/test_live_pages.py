"""In Chromium, every action's page follows its job to the end and then shows what the job changed, without
a reload: replace, move, release, re-sync, health refresh and test call, each for a role that may act. The
worker starts only once the page is showing the job queued, so each change can only arrive live. The
Activity list names the numbers of releases and replacements and finds them however the number is typed;
a number's page lists its own history. axe-core finds no serious violation on the pages these land on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import axe_source, wcag_violations
from tests.browser.test_console import FORMATTED, JOB_TIMEOUT_MS, sign_in
from tests.factories import make_business
from tests.jobs.helpers import buy_at_sandbox, record
from webapp.models import Role, WebhookStatus
from webapp.models.phone_format import format_national

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.once_in_ci


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    return {**app_settings, "TWILIO_TEST_CALLER": "+15005550006"}


def watch(page: Any, start_worker: Any) -> None:
    """Mark the page (a reload would lose the mark), check it shows the job queued, then start a worker."""
    expect(page.locator(".alert-success [role=status]")).to_have_text("Queued")
    page.evaluate("window.stillTheSamePage = true")
    start_worker()


def ended_live(page: Any) -> None:
    """The action's message says the job succeeded, on the very page it was first shown on."""
    expect(page.locator(".alert-success [role=status]")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    assert page.evaluate("window.stillTheSamePage") is True


def assert_axe_clean(page: Any) -> None:
    blocking = [v.describe() for v in wcag_violations(page, axe_source()) if v.blocking]
    assert not blocking, "\n".join(blocking)


def number_page(page: Any, live_server: str, number: Any) -> None:
    page.goto(f"{live_server}/admin/phonenumber/details/?id={number.id}")


def test_replace_shows_the_new_number_and_its_history(page, live_server, start_worker, sandbox):
    business = make_business("Replace Me Co")
    old = record(business, buy_at_sandbox(business))
    sign_in(page, live_server, Role.OPERATOR)
    number_page(page, live_server, old)
    page.get_by_role("link", name="Replace with a new number…").click()
    page.locator("button[data-action=confirm-replace]").click()
    expect(page.locator("h1")).to_have_text("Replace Me Co")
    watch(page, start_worker)

    ended_live(page)
    shown = page.locator("[data-number-panel] a.phone-number")
    expect(shown).to_have_text(FORMATTED)
    expect(shown).not_to_have_text(old.formatted)
    card = page.locator(".live-status")
    expect(card.locator("h2")).to_have_text("Replace")
    expect(card.locator("[data-field=status]")).to_have_text("Succeeded")
    new_formatted = shown.inner_text()
    expect(page.locator("[data-health-panel] h2")).to_have_text(f"Health of {new_formatted}")
    expect(page.locator(".activity-history tr", has_text="Replace")).to_contain_text(
        f"{old.formatted} → {new_formatted}"
    )
    assert_axe_clean(page)

    page.goto(f"{live_server}/admin/activity/")
    expect(page.locator("tr", has_text="Replace").locator("td.col-e164")).to_have_text(
        f"{old.formatted} → {new_formatted}"
    )
    page.goto(f"{live_server}/admin/business/details/?id={business.id}")
    shown.click()
    expect(page.locator("#number-history + [role=region] table tr", has_text="Replace")).to_contain_text(
        old.formatted
    )


def test_move_shows_the_new_business_on_the_number_page(page, live_server, start_worker, sandbox):
    source = make_business("Moving Out Co")
    target = make_business("Moving In Co")
    number = record(source, buy_at_sandbox(source))
    sign_in(page, live_server, Role.ADMIN)
    number_page(page, live_server, number)
    page.get_by_role("link", name="Move to another business…").click()
    page.locator("#s2id_business").click()
    page.keyboard.type("Moving In")
    expect(page.locator(".select2-results li.select2-result-selectable")).to_have_text(["Moving In Co"])
    page.keyboard.press("Enter")
    page.locator("button[data-action=confirm-move]").click()
    expect(page.locator("h1")).to_have_text(number.formatted)
    watch(page, start_worker)

    ended_live(page)
    record_table = page.locator("#number-record")
    expect(record_table.get_by_role("link", name="Moving In Co")).to_have_count(1)
    expect(record_table.get_by_role("link", name="Moving Out Co")).to_have_count(0)
    history = page.locator("#number-history + [role=region] table")
    expect(history.locator("tr", has_text="Move")).to_contain_text("Succeeded")
    assert_axe_clean(page)

    page.goto(f"{live_server}/admin/business/details/?id={source.id}")
    expect(page.locator("[data-number-panel]")).to_contain_text("No number")
    expect(page.locator(".live-status h2")).to_have_text("Move")
    expect(page.locator(".live-status [data-field=status]")).to_have_text("Succeeded")
    page.goto(f"{live_server}/admin/business/details/?id={target.id}")
    expect(page.locator("[data-number-panel] a.phone-number")).to_have_text(number.formatted)


def test_release_removes_the_row_and_the_activity_list_names_and_finds_the_number(
    page, live_server, start_worker, sandbox
):
    business = make_business("Releasing Co")
    number = record(business, buy_at_sandbox(business))
    sign_in(page, live_server, Role.ADMIN)
    number_page(page, live_server, number)
    page.get_by_role("link", name="Release number…").click()
    page.get_by_label(f"Last four digits of {number.formatted}").fill(number.e164[-4:])
    page.locator("button[data-action=confirm-release]").click()
    expect(page.locator("h1")).to_have_text("Phone numbers")
    expect(page.locator("td.col-e164", has_text=number.formatted)).to_have_count(1)
    watch(page, start_worker)

    ended_live(page)
    expect(page.locator("td.col-e164", has_text=number.formatted)).to_have_count(0)

    page.goto(f"{live_server}/admin/activity/")
    expect(page.locator("tr", has_text="Release").locator("td.col-e164")).to_have_text(number.formatted)
    for typed in (format_national(number.e164), number.e164):
        page.get_by_role("searchbox").fill(typed)
        page.get_by_role("button", name="Search").click()
        rows = page.locator("table.model-list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.locator("td.col-kind")).to_have_text("Release")
        expect(rows.locator("td.col-business")).to_have_text("Releasing Co")
    assert_axe_clean(page)


def test_resync_shows_the_webhook_in_sync_on_the_number_page(page, live_server, start_worker, sandbox):
    business = make_business("Drifting Co")
    bought = buy_at_sandbox(business, voice_url="https://elsewhere.example/voice")
    number = record(business, bought, webhook_status=WebhookStatus.DRIFTED)
    sign_in(page, live_server, Role.OPERATOR)
    number_page(page, live_server, number)
    webhook = page.locator("#number-record table.searchable tr").filter(
        has=page.get_by_text("Webhook", exact=True)
    )
    expect(webhook).to_contain_text("Drifted")
    page.locator("button[data-action=resync]").click()
    page.locator("button[data-action=refresh-health]").focus()  # a keyboard user's place on the page
    watch(page, start_worker)

    ended_live(page)
    expect(webhook).to_contain_text("In sync")
    assert page.evaluate("document.activeElement.getAttribute('data-action')") == "refresh-health"


def test_health_refresh_and_test_call_show_their_results(
    page, live_server, start_worker, sandbox, closed_voice_url
):
    business = make_business("Health Co")
    number = record(business, buy_at_sandbox(business, voice_url=closed_voice_url))
    sign_in(page, live_server, Role.OPERATOR)
    number_page(page, live_server, number)
    panel = page.locator("[data-health-panel]")
    expect(panel.locator("[data-field=read-at]")).to_have_text("Not read from Twilio yet.")
    panel.locator("button[data-action=refresh-health]").click()
    watch(page, start_worker)

    ended_live(page)
    expect(panel.locator("[data-field=read-at]")).to_contain_text("Read from Twilio just now")

    panel.locator("button[data-action=test-call]").click()
    expect(page.locator(".alert-success")).to_contain_text("Placing a test call to")
    page.evaluate("window.stillTheSamePage = true")
    expect(page.locator(".alert-success [role=status]")).to_have_text("Failed", timeout=JOB_TIMEOUT_MS * 2)
    expect(panel.locator("[data-field=test-call]")).to_contain_text(
        f"Twilio could not reach {closed_voice_url}: connection refused (11200)."
    )
    assert page.evaluate("window.stillTheSamePage") is True
    assert_axe_clean(page)
