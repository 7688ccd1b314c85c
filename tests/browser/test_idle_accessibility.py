"""The Idle numbers page, and the calls chart on a number's page, in Chromium: axe-core finds no serious or
critical WCAG 2.1 A/AA violation, for a viewer and an admin (who sees the actions)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.axe import axe_source, blocking_failures, report, wcag_violations
from tests.browser.test_accessibility import signed_in_page
from tests.factories import make_business, make_number
from webapp.models import BusinessStatus, CallReport, Role, record_call
from webapp.models.base import utcnow


@pytest.mark.once_in_ci  # the pages are the same on SQLite
def test_the_idle_numbers_page_has_no_serious_wcag_violations(browser, live_server, capsys):
    old = utcnow() - timedelta(days=45)
    idle = make_number(make_business("Quiet Florist"), e164="+14155550170", created_at=old)
    make_number(
        make_business("Closed Cafe", status=BusinessStatus.CANCELLED), e164="+18005550171", created_at=old
    )
    for n, seconds in enumerate((8, 40)):
        record_call(
            CallReport(f"CA{n + 1:032x}", "completed", idle.e164, "+14155550199", "inbound", seconds,
                       utcnow() - timedelta(days=n + 1))
        )  # fmt: skip
    pages = [
        ("idle numbers", "/admin/idle-numbers/"),
        ("idle numbers, filtered", "/admin/idle-numbers/?flt0_0=yes"),
        ("idle numbers, empty", "/admin/idle-numbers/?search=no-such-number"),
        ("number with calls", f"/admin/phonenumber/details/?id={idle.id}"),
        ("dashboard", "/admin/"),
    ]
    source = axe_source()
    found = {}
    for role in (Role.VIEWER, Role.ADMIN):
        with signed_in_page(browser, live_server, role) as page:
            for name, path in pages:
                page.goto(f"{live_server}{path}")
                assert page.locator("h1").count() == 1, f"{name} has no h1"
                found[(role.value, name)] = wcag_violations(page, source)

    with capsys.disabled():
        print(f"\naxe-core violations per page (rule and elements):\n{report(found)}")
    failures = blocking_failures(found)
    assert not failures, "\n".join(failures)
