"""A number's whole configuration in Chromium: the Health panel's table of fields (expected, at Twilio)
names a SIP trunk set in the Console, and the orphans page adopts a number set up for someone else only
once its confirmation is ticked; both pages pass axe."""

from __future__ import annotations

from typing import Any

import pytest

from harness.waits import wait_for_activity
from tests.browser.axe import axe_source, wcag_violations
from tests.browser.test_console import latest_activity, sign_in
from tests.factories import make_business
from tests.jobs.helpers import VOICE_URL, numbers_of
from tests.jobs.test_number_configuration import (
    FALLBACK,
    TRUNK,
    bought_in_sync,
    change_in_console,
    foreign_orphan,
)
from webapp.jobs.enqueue import enqueue_health_check
from webapp.jobs.enqueue.kinds import enqueue_check
from webapp.models import ActivityKind, ActivityStatus, Role, WebhookStatus
from webapp.twilio_client import get_client

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    return {**app_settings, "TWILIO_VOICE_FALLBACK_URL": FALLBACK}


def assert_no_blocking_violations(page: Any) -> None:
    blocking = [v.describe() for v in wcag_violations(page, axe_source()) if v.blocking]
    assert blocking == []


def test_the_health_panel_lists_every_field_and_names_the_trunk(page, live_server, start_worker, sandbox):
    number = bought_in_sync(make_business("Trunked Co"))
    change_in_console(sandbox, number.twilio_sid, TrunkSid=TRUNK)
    start_worker()
    assert wait_for_activity(enqueue_health_check(number, None).id).status == ActivityStatus.SUCCEEDED
    sign_in(page, live_server, Role.VIEWER)

    page.goto(f"{live_server}/admin/phonenumber/details/?id={number.id}")

    table = page.locator("[data-health-panel] [data-field=configuration]")
    expect(table.locator("thead th")).to_have_text(["Field", "Expected", "At Twilio"])
    expect(table.locator("[data-config-field=voice_url] td")).to_have_text([VOICE_URL, VOICE_URL])
    expect(table.locator("[data-config-field=voice_fallback_url] td")).to_have_text([FALLBACK, FALLBACK])
    expect(table.locator("[data-differs]")).to_have_count(1)
    expect(table.locator("[data-config-field=trunk_sid] th")).to_have_text("SIP trunk")
    expect(table.locator("[data-config-field=trunk_sid] td")).to_have_text(["—", f"{TRUNK} (differs)"])
    expect(page.locator("[data-health-panel] [data-field=drift-fields]")).to_contain_text(
        f"calls go to SIP trunk {TRUNK}; the voice URL is ignored"
    )
    assert_no_blocking_violations(page)


def test_the_orphans_page_adopts_a_foreign_number_only_once_confirmed(
    page, live_server, start_worker, sandbox
):
    business = make_business("Foreign Co")
    orphan = foreign_orphan(business)
    start_worker()
    assert wait_for_activity(enqueue_check(None, None).id).status == ActivityStatus.SUCCEEDED
    sign_in(page, live_server, Role.ADMIN)

    page.goto(f"{live_server}/admin/phonenumber/orphans/")

    row = page.locator("#orphans tr", has_text="Foreign Co")
    expect(row.locator("[data-field=foreign]")).to_contain_text(
        "voice URL is https://someone-else.example.com/voice, expected"
    )
    expect(row.locator("button", has_text="Adopt")).to_have_text("Adopt anyway")
    assert_no_blocking_violations(page)
    row.locator("button", has_text="Adopt anyway").click()  # the unticked box keeps the form from posting
    assert (
        row.get_by_label("Take it over from its current setup").evaluate("box => box.validity.valid") is False
    )
    assert latest_activity(ActivityKind.ADOPT) is None
    row.get_by_label("Take it over from its current setup").check()
    row.locator("button", has_text="Adopt anyway").click()

    adopted = wait_for_activity(latest_activity(ActivityKind.ADOPT).id)
    assert adopted.status == ActivityStatus.SUCCEEDED, adopted.error
    [number] = numbers_of(business.id)
    assert number.webhook_status == WebhookStatus.IN_SYNC
    assert get_client().fetch_number(orphan.sid).voice_url == VOICE_URL
