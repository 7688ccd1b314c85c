"""The phone-numbers list fits a 1366-pixel-wide screen: neither the page nor its table scrolls sideways."""

from __future__ import annotations

from tests.browser.test_console import sign_in
from tests.factories import make_business, make_number
from webapp.models import Role, WebhookStatus
from webapp.models.base import utcnow

SCREEN = {"width": 1366, "height": 768}
OVERFLOW = """() => {
  const page = document.scrollingElement, table = document.querySelector('.table-responsive');
  return {page: page.scrollWidth - page.clientWidth, table: table.scrollWidth - table.clientWidth};
}"""


def test_the_numbers_list_fits_a_1366_pixel_screen(page, live_server):
    for n in range(5):
        make_number(
            make_business(f"Bayview Family Dental and Orthodontics of San Francisco {n}"),
            webhook_status=WebhookStatus.ERROR,
            webhook_checked_at=utcnow(),
            webhook_synced_at=utcnow(),
            webhook_error="Twilio refused the webhook update: the voice URL belongs to another account.",
        )
    page.set_viewport_size(SCREEN)
    for role in (Role.OPERATOR, Role.VIEWER):  # an operator's rows have a checkbox and a Re-sync button more
        sign_in(page, live_server, role)
        page.goto(f"{live_server}/admin/phonenumber/")
        assert page.evaluate(OVERFLOW) == {"page": 0, "table": 0}, role
        page.context.clear_cookies()
