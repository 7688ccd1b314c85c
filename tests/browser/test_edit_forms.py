"""In Chromium, opening a record's edit page and clicking Save leaves the record as it was."""

from __future__ import annotations

import pytest

from tests.admin.helpers import stored_row
from tests.browser.test_console import sign_in
from tests.factories import make_business
from tests.fixtures.web import make_user
from webapp.extensions import db
from webapp.models import Business, BusinessStatus, Role, User

expect = pytest.importorskip("playwright.sync_api").expect


def save_unchanged(page, live_server: str, endpoint: str, record_id) -> None:  # type: ignore[no-untyped-def]
    """Open the record's edit page, click Save, and wait for the list the console returns to."""
    page.goto(f"{live_server}/admin/{endpoint}/edit/?id={record_id}")
    page.locator("form.admin-form input[type=submit][value=Save]").click()
    expect(page.locator(".alert-success")).to_contain_text("Record was successfully saved.")


def test_saving_an_untouched_business_changes_nothing(page, live_server):
    business = make_business(
        "Bayview Dental", BusinessStatus.ACTIVE, contact_email="desk@example.com", preferred_area_code="415"
    )
    before = stored_row(Business, business.id)
    sign_in(page, live_server, Role.ADMIN)
    save_unchanged(page, live_server, "business", business.id)
    assert stored_row(Business, business.id) == before


def test_saving_an_untouched_user_changes_nothing_even_for_oneself(page, live_server):
    operator = make_user("operator@example.com", Role.OPERATOR)
    sign_in(page, live_server, Role.ADMIN)
    admin = db.session.execute(db.select(User).filter_by(email="admin@example.com")).scalar_one()
    for user in (operator, admin):
        before = stored_row(User, user.id)
        save_unchanged(page, live_server, "user", user.id)
        assert stored_row(User, user.id) == before, user.email
