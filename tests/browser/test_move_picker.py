"""Moving a number in Chromium: the admin finds the business that takes it by typing part of its name in
the picker (Flask-Admin's select2 ajax loader), not by typing its exact name."""

from __future__ import annotations

import pytest

from harness.waits import wait_for_activity
from tests.browser.axe import axe_source, wcag_violations
from tests.browser.test_console import latest_activity, sign_in
from tests.factories import make_business, make_number
from tests.fixtures.live_server import screenshot
from tests.jobs.helpers import buy_at_sandbox, numbers_of, record
from webapp.models import ActivityKind, ActivityStatus, BusinessStatus, Role

expect = pytest.importorskip("playwright.sync_api").expect


def test_admin_moves_a_number_to_a_business_found_by_typing_part_of_its_name(
    page, live_server, start_worker, sandbox
):
    owner = make_business("Harbor Dental")
    number = record(owner, buy_at_sandbox(owner))
    taker = make_business("Bayview Bakery")
    make_business("Bayside Tailors", status=BusinessStatus.TRIAL)  # may not take a number: not offered
    make_number(make_business("Bayshore Florist"))  # has a number: not offered
    make_business("Bay & Co")  # starts otherwise: not offered for "bayv"
    sign_in(page, live_server, Role.ADMIN)
    page.goto(f"{live_server}/admin/phonenumber/move/?id={number.id}")

    page.locator("#s2id_business").click()
    page.keyboard.type("bay")
    offered = page.locator(".select2-results li.select2-result-selectable")
    expect(offered).to_have_text(["Bay & Co", "Bayview Bakery"])
    page.keyboard.type("v")
    expect(offered).to_have_text(["Bayview Bakery"])
    violations = [v.describe() for v in wcag_violations(page, axe_source()) if v.blocking]
    assert not violations, "\n".join(violations)
    screenshot(page, "move-picker")
    page.keyboard.press("Enter")
    expect(page.locator("#s2id_business .select2-chosen")).to_have_text("Bayview Bakery")
    start_worker()
    page.get_by_role("button", name="Move").click()

    expect(page.locator(".alert-success")).to_contain_text(f"Moving {number.formatted} to Bayview Bakery.")
    moving = latest_activity(ActivityKind.MOVE)
    assert wait_for_activity(moving.id).status == ActivityStatus.SUCCEEDED
    [moved] = numbers_of(taker.id)
    assert (moved.id, numbers_of(owner.id)) == (number.id, [])
