"""The console's scripts work under its Content-Security-Policy (the `page` fixture fails on any violation):
the filter menu, the "With selected" menu, a row's delete and rq-dashboard's pages."""

from __future__ import annotations

import pytest

from tests.browser.test_console import sign_in
from tests.factories import make_business
from webapp.extensions import db
from webapp.models import Business, Role

expect = pytest.importorskip("playwright.sync_api").expect


def test_list_menus_and_row_delete_work_without_inline_script(page, live_server):
    make_business("Keep Bakery")
    make_business("Delete Deli")
    sign_in(page, live_server, Role.ADMIN)
    page.goto(f"{live_server}/admin/business/")

    page.get_by_text("Add Filter").click()
    page.locator("a.filter").first.click()
    expect(page.locator("#filter_form .filter-op").first).to_be_visible()
    assert page.url.endswith("/admin/business/"), "the filter link navigated away"

    page.on("dialog", lambda dialog: dialog.accept())
    row = page.locator("tr", has_text="Delete Deli")
    row.locator("button[data-safe-confirm]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    db.session.rollback()
    assert [b.name for b in db.session.scalars(db.select(Business))] == ["Keep Bakery"]

    page.locator("tr", has_text="Keep Bakery").locator("input.action-checkbox").check()
    page.get_by_text("With selected").click()
    page.locator("[data-model-action=provision]").click()
    expect(page.locator(".alert-success")).to_contain_text("Keep Bakery")


def test_rq_dashboard_renders_its_queues_under_the_policy(page, live_server):
    from webapp.jobs.enqueue.queue import get_queue

    get_queue().enqueue("builtins.print", "a job for the dashboard to list")
    sign_in(page, live_server, Role.ADMIN)
    page.goto(f"{live_server}/admin/rq/")
    expect(page.locator("table").first).to_contain_text("switchboard")
    page.goto(f"{live_server}/admin/rq/0/view/workers")
    expect(page.locator("table").first).to_be_visible()
