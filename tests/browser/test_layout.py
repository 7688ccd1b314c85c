"""The console's layout in Chromium: no page scrolls sideways on a 390-pixel phone, every column of the
numbers list shows on a 1366-pixel screen, the dashboard's counts open lists of exactly the rows they count,
and axe finds nothing serious at either width."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.browser.axe import axe_source, wcag_violations
from tests.browser.test_console import sign_in
from tests.factories import make_business, make_number
from tests.fixtures.live_server import screenshot
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, BusinessStatus, Role, WebhookStatus
from webapp.models.base import utcnow

PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1366, "height": 768}
SIDEWAYS = "() => document.scrollingElement.scrollWidth - innerWidth"
"""How far the page itself scrolls sideways (0: not at all; a table scrolling inside its region is fine)."""
HEADERS_OUTSIDE = """() => [...document.querySelectorAll('table.model-list thead th')]
  .filter(th => { const box = th.getBoundingClientRect(); return box.left < 0 || box.right > innerWidth; })
  .map(th => th.textContent.trim())"""
LONG_ERROR = (
    "Twilio could not reach https://voice.bayview-family-dental-and-orthodontics.example/twilio/voice-webhook"
    "?business=bayview-family-dental-and-orthodontics-of-san-francisco: connection refused (11205)."
)
"""A drift's error as Twilio words it: a URL with no space to break at."""
LIST_ROWS = "table.model-list tr:has(td.list-buttons-column)"


@dataclass(frozen=True)
class Records:
    """The records whose pages are measured."""

    business: str
    number: str
    awaiting: str


def make_records() -> Records:
    """Long names and errors, a drifted number, a business awaiting a number after a failed provision."""
    number = None
    for n in range(3):
        number = make_number(
            make_business(f"Bayview Family Dental and Orthodontics of San Francisco {n}"),
            webhook_status=WebhookStatus.ERROR,
            webhook_checked_at=utcnow(),
            webhook_synced_at=utcnow(),
            webhook_error=LONG_ERROR,
        )
    assert number is not None
    awaiting = make_business(
        "Harbor Bakery and Pastry Kitchen of the Outer Sunset", preferred_area_code="415"
    )
    db.session.add(
        Activity(
            kind=ActivityKind.PROVISION,
            status=ActivityStatus.FAILED,
            business=awaiting,
            attempts=1,
            error=LONG_ERROR,
        )
    )
    db.session.commit()
    return Records(str(number.business_id), str(number.id), str(awaiting.id))


def measured_pages(records: Records) -> dict[str, str]:
    """The pages an agent uses on a phone; choose-a-number with Twilio's (the sandbox's) results."""
    return {
        "dashboard": "/admin/",
        "businesses": "/admin/business/",
        "numbers": "/admin/phonenumber/",
        "business": f"/admin/business/details/?id={records.business}",
        "business after a failed provision": f"/admin/business/details/?id={records.awaiting}",
        "number": f"/admin/phonenumber/details/?id={records.number}",
        "choose a number": f"/admin/business/choose-number/?id={records.awaiting}&searched=1&area_code=415",
        "activity": "/admin/activity/",
    }


def test_no_page_scrolls_sideways_on_a_phone_and_axe_finds_nothing_serious_at_either_width(page, live_server):
    records = make_records()
    source = axe_source()
    sign_in(page, live_server, Role.ADMIN)  # admins see every button an agent's pages have
    sideways: dict[str, int] = {}
    serious: list[str] = []
    for viewport in (PHONE, SCREEN):
        page.set_viewport_size(viewport)
        for name, path in measured_pages(records).items():
            page.goto(f"{live_server}{path}")
            if viewport is PHONE:
                sideways[name] = page.evaluate(SIDEWAYS)
                screenshot(page, f"phone-{name.replace(' ', '-')}")
            serious += [
                f"{viewport['width']} px {name}: {v.describe()}"
                for v in wcag_violations(page, source)
                if v.blocking
            ]
    assert sideways == dict.fromkeys(sideways, 0)
    assert not serious, "\n".join(serious)


def test_on_a_phone_the_dashboard_starts_with_the_backlog_and_folds_closed_breakers(page, live_server):
    make_business("Harbor Bakery")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, Role.OPERATOR)

    first_card = page.locator(".dashboard .card").first
    assert first_card.get_attribute("id") == "backlog"
    assert first_card.locator("button[data-action=provision]").is_visible()
    breakers = page.locator("details#breakers")
    assert breakers.get_attribute("open") is None
    assert (
        breakers.locator("summary")
        .inner_text()
        .endswith(f"All {breakers.locator('tr').count()} breakers closed")
    )
    assert not breakers.locator("table").is_visible()


def headers_outside(page: Any) -> list[str]:
    return page.evaluate(HEADERS_OUTSIDE)


def test_every_column_of_the_numbers_list_shows_on_a_1366_pixel_screen(page, live_server):
    make_records()
    page.set_viewport_size(SCREEN)
    for role in (Role.OPERATOR, Role.VIEWER):  # an operator's rows have a checkbox and a Re-sync button more
        sign_in(page, live_server, role)
        page.goto(f"{live_server}/admin/phonenumber/")
        assert page.locator("table.model-list thead th").count() >= 8, role
        assert headers_outside(page) == [], role
        assert page.evaluate(SIDEWAYS) == 0, role
        sid = page.locator("td.col-twilio_sid .twilio-sid").first
        assert sid.bounding_box()["height"] < 30, "a SID takes one line"  # type: ignore[index]
        assert sid.get_attribute("title") == sid.inner_text(), "the whole SID, in its text and its tooltip"
        page.context.clear_cookies()


def seed_counted_rows() -> None:
    """Rows for every dashboard count, each count different, so a link to the wrong rows shows."""
    for status, businesses in ((BusinessStatus.TRIAL, 1), (BusinessStatus.SUSPENDED, 2)):
        for _ in range(businesses):
            make_business(status=status)
    for _ in range(3):
        make_business()  # active, awaiting a number
    for _ in range(2):
        make_number(make_business(status=BusinessStatus.CANCELLED), webhook_status=WebhookStatus.IN_SYNC)
    for status, numbers in ((WebhookStatus.IN_SYNC, 2), (WebhookStatus.DRIFTED, 3), (WebhookStatus.ERROR, 1)):
        for _ in range(numbers):
            make_number(webhook_status=status)
    for hours_ago in (1, 2, 48):  # two within the 24-hour window, one before it
        make_number(webhook_failed_at=utcnow() - timedelta(hours=hours_ago), webhook_failures=1)
    make_number(capabilities={"voice": False, "sms": True})  # takes no calls: no emergency address needed


COUNTED = {
    "#backlog .card-header a": 3,
    "#businesses-by-status a": [1, 3 + 10, 2, 2],  # trial, active (awaiting, and with a number), ...
    "#cancelled-numbers a": 2,
    # not checked, in sync, drifted, error, failing, voice numbers without a registered emergency address
    "#numbers-by-webhook-status a": [4, 2 + 2, 3, 1, 2, 2 + 2 + 3 + 1 + 3],
}
"""Each count's links on the dashboard, and the rows seeded for each."""


def test_each_dashboard_count_opens_the_list_of_exactly_the_rows_it_counts(page, live_server):
    seed_counted_rows()
    sign_in(page, live_server, Role.VIEWER)
    for selector, seeded in COUNTED.items():
        page.goto(f"{live_server}/admin/")
        links = page.locator(selector)
        expected = seeded if isinstance(seeded, list) else [seeded]
        assert links.count() == len(expected), selector
        doors = [
            (links.nth(n).get_attribute("href"), links.nth(n).inner_text()) for n in range(links.count())
        ]
        for (href, text), rows in zip(doors, expected, strict=True):
            count = int(re.findall(r"\d+", text)[-1])  # "Trial 1", "2 numbers", "Webhook failing (24 h) 2"
            assert count == rows, (selector, text)
            page.goto(f"{live_server}{href}")
            assert page.locator(LIST_ROWS).count() == rows, (selector, text, href)
