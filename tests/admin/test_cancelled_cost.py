"""The dashboard's numbers of cancelled businesses and their monthly cost, at Twilio's prices as a job keeps
them in Redis."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness.workers import sandbox_settings
from tests.factories import make_business, make_number
from webapp.admin.cancelled_numbers import cancelled_cost
from webapp.jobs.reads.number_costs import PRICES_KEY, PRICES_TTL_SECONDS, read_prices
from webapp.models import BusinessStatus, Role

PRICING = "GET /v1/PhoneNumbers/Countries/{IsoCountry}"


@pytest.fixture
def app_settings(app_settings, sandbox):
    return {**app_settings, **sandbox_settings(sandbox)}


def cost_line(page: str) -> str:
    """The card's sentence after the count."""
    return page.split('data-field="cancelled-numbers"', 1)[1].split("</p>", 1)[0]


def test_the_dashboard_asks_a_job_for_twilio_s_prices_and_never_waits_on_twilio(
    client, auth, app, sandbox, redis_client, start_worker
):
    for _ in range(2):
        make_number(make_business(status=BusinessStatus.CANCELLED))
    make_number(make_business(status=BusinessStatus.CANCELLED), e164="+18005550100")
    make_number(make_business(status=BusinessStatus.SUSPENDED))
    auth.login(Role.VIEWER)

    first = client.get("/admin/").text
    assert "Twilio's prices are being read; reload in a moment." in cost_line(first)
    assert sandbox.request_count(PRICING) == 0, "the page itself asked Twilio"
    client.get("/admin/")  # a second page while the read is queued asks for no second one
    start_worker(burst=True).wait(60)

    for _ in range(2):
        page = client.get("/admin/").text
        assert '<span class="count" data-field="cancelled-numbers">3</span>' in page
        assert '<span data-field="cancelled-cost">4.45 USD</span>' in page  # 2 x 1.15 local + 2.15 toll-free
    assert sandbox.request_count(PRICING) == 1
    assert 12 * 3600 < redis_client.ttl(PRICES_KEY) <= PRICES_TTL_SECONDS


def test_with_twilio_down_the_count_stays_and_the_cost_is_unknown(client, auth, app, sandbox, start_worker):
    sandbox.set_faults("503=1.0")
    make_number(make_business(status=BusinessStatus.CANCELLED))
    auth.login(Role.VIEWER)
    client.get("/admin/")
    start_worker(burst=True, TWILIO_MAX_ATTEMPTS="1").wait(60)

    page = client.get("/admin/").text

    assert '<span class="count" data-field="cancelled-numbers">1</span>' in page
    assert "cost unknown: Twilio's prices could not be read." in cost_line(page)


def test_above_the_cap_the_count_and_the_cost_are_lower_bounds(app, sandbox):
    for _ in range(3):
        make_number(make_business(status=BusinessStatus.CANCELLED))
    read_prices()

    cost = cancelled_cost(cap=2)

    assert str(cost.numbers) == "more than 2"
    assert cost.at_least
    assert cost.monthly == Decimal("2.30")  # the 2 counted, at 1.15 each
