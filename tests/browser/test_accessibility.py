"""WCAG 2.1 AA in Chromium: axe-core finds no serious or critical violation on any console page, for any role;
the keyboard alone, with a visible focus, reaches every action needed to provision a business.

The test prints each page's counts (WCAG 2.1 A/AA rules and axe's best practices, every impact), and fails
listing each serious or critical violation of a WCAG rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.axe import Violation, axe_source, blocking_failures, report, wcag_violations
from tests.browser.test_console import expect, sign_in
from tests.factories import make_business, make_number
from tests.fixtures.live_server import PAGE_TIMEOUT_MS
from tests.fixtures.web import TEST_PASSWORD, make_user
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, BusinessStatus, Role


@pytest.fixture
def app_settings(app_settings: dict) -> dict:
    """Let Chromium cache the static files: each page then costs one request, not twenty revalidations."""
    return {**app_settings, "SEND_FILE_MAX_AGE_DEFAULT": 3600}


@dataclass(frozen=True)
class Records:
    """The ids of the records whose pages are checked."""

    business: str
    number: str
    activity: str
    user: str


def make_records() -> Records:
    """A business with a number, one awaiting a number, a trial one, a failed job, two succeeded ones."""
    business = make_business("Bayview Dental", contact_email="desk@bayview.example")
    number = make_number(business, e164="+14155550100")
    make_business("Harbor Bakery")
    make_business("Trial Tailors", status=BusinessStatus.TRIAL)
    failed = Activity(
        kind=ActivityKind.PROVISION,
        status=ActivityStatus.FAILED,
        business=business,
        attempts=1,
        error="Twilio has no numbers left in area code 415.",
    )
    done = Activity(
        kind=ActivityKind.WEBHOOK_RESYNC, status=ActivityStatus.SUCCEEDED, phone_number=number, attempts=1
    )
    check = Activity(  # the numbers page shows its progress bar
        kind=ActivityKind.WEBHOOK_CHECK, status=ActivityStatus.SUCCEEDED, progress_done=1, progress_total=1
    )
    db.session.add_all([failed, done, check])
    db.session.commit()
    user = make_user("someone@example.com", Role.OPERATOR)
    return Records(str(business.id), str(number.id), str(failed.id), str(user.id))


def read_pages(records: Records) -> list[tuple[str, str]]:
    """The pages every role reads: dashboard, each list (filtered, and empty), each detail page, a 404."""
    return [
        ("dashboard", "/admin/"),
        ("businesses", "/admin/business/"),
        ("businesses, filtered", "/admin/business/?flt0_0=active"),
        ("businesses, empty", "/admin/business/?search=no-such-business"),
        ("business", f"/admin/business/details/?id={records.business}"),
        ("numbers", "/admin/phonenumber/"),
        ("numbers, filtered", "/admin/phonenumber/?flt0_0=in_sync"),
        ("numbers, empty", "/admin/phonenumber/?search=no-such-number"),
        ("number", f"/admin/phonenumber/details/?id={records.number}"),
        ("activity", "/admin/activity/"),
        ("activity, filtered", "/admin/activity/?flt0_0=provision"),
        ("activity, empty", "/admin/activity/?flt0_0=adopt"),
        ("activity detail", f"/admin/activity/details/?id={records.activity}"),
        ("404", "/admin/no-such-page/"),
    ]


def pages_for(role: Role | None, records: Records) -> list[tuple[str, str]]:
    """The pages `role` can reach (None: signed out), with a 403 for each role below admin."""
    if role is None:
        return [("sign-in", "/login"), ("404", "/no-such-page")]
    if role != Role.ADMIN:
        return [*read_pages(records), ("403", "/admin/user/")]
    return [
        *read_pages(records),
        ("business edit", f"/admin/business/edit/?id={records.business}"),
        ("business create", "/admin/business/new/"),
        ("users", "/admin/user/"),
        ("users, filtered", "/admin/user/?flt0_0=operator"),
        ("user", f"/admin/user/details/?id={records.user}"),
        ("user edit", f"/admin/user/edit/?id={records.user}"),
        ("choose a number", f"/admin/business/choose-number/?id={records.business}"),
        ("released numbers", "/admin/released/"),
        ("access log", "/admin/access-log/"),
    ]


@contextmanager
def signed_in_page(browser: Any, live_server: str, role: Role | None) -> Iterator[Any]:
    """A page in its own browser context, signed in as `role` (once, for all of that role's pages)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    try:
        if role is not None:
            sign_in(page, live_server, role)
        yield page
    finally:
        context.close()


@pytest.mark.once_in_ci  # about 90 s on 2 busy CPUs; the pages are the same on SQLite
def test_no_console_page_has_serious_wcag_violations(browser, live_server, capsys):
    source = axe_source()
    records = make_records()
    found: dict[tuple[str, str], list[Violation]] = {}
    for role in (None, Role.VIEWER, Role.OPERATOR, Role.ADMIN):
        who = role.value if role else "signed out"
        with signed_in_page(browser, live_server, role) as page:
            for name, path in pages_for(role, records):
                page.goto(f"{live_server}{path}")
                found[(who, name)] = wcag_violations(page, source)

    with capsys.disabled():
        print(f"\naxe-core violations per page (rule and elements):\n{report(found)}")
    failures = blocking_failures(found)
    assert not failures, "\n".join(failures)


FOCUSED_MATCHES = "selector => document.activeElement.matches(selector)"
FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = outline || style.boxShadow !== 'none';
  return {ring, visible: box.width > 0 && box.height > 0, html: el.outerHTML.slice(0, 120)};
}"""
MAX_TABS = 80


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the element matching `selector` has focus; every stop on the way shows a focus ring."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_RING)
        assert focus["visible"] and focus["ring"], f"focus is not visible on {focus['html']}"
        if page.evaluate(FOCUSED_MATCHES, selector):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector}")


def test_an_operator_provisions_a_business_with_the_keyboard_alone(page, live_server):
    make_business("Bayview Dental")
    email = "operator@example.com"
    make_user(email, Role.OPERATOR)
    page.goto(f"{live_server}/login")
    tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("nav")).to_contain_text(email)

    tab_to(page, "nav a[href$='/admin/business/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Businesses")
    tab_to(page, "button[aria-label='Provision a number for Bayview Dental']")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("Provisioning a number for Bayview Dental.")
    expect(page.locator("h1")).to_have_text("Bayview Dental")
