"""The dashboard's numbers of cancelled businesses and their monthly cost, at Twilio's prices cached a day."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness.workers import sandbox_settings
from tests.factories import make_business, make_number
from webapp.admin.cancelled_numbers import cancelled_cost
from webapp.jobs.number_costs import PRICES_KEY
from webapp.models import BusinessStatus, Role

PRICING = "GET /v1/PhoneNumbers/Countries/{IsoCountry}"


@pytest.fixture
def app_settings(app_settings, sandbox):
    return {**app_settings, **sandbox_settings(sandbox)}


def test_the_dashboard_prices_the_numbers_of_cancelled_businesses_once_a_day(
    client, auth, app, sandbox, redis_client
):
    for _ in range(2):
        make_number(make_business(status=BusinessStatus.CANCELLED))
    make_number(make_business(status=BusinessStatus.CANCELLED), e164="+18005550100")
    make_number(make_business(status=BusinessStatus.SUSPENDED))
    auth.login(Role.VIEWER)

    first = client.get("/admin/").text
    second = client.get("/admin/").text

    for page in (first, second):
        assert '<span class="count" data-field="cancelled-numbers">3</span>' in page
        assert '<span data-field="cancelled-cost">4.45 USD</span>' in page  # 2 x 1.15 local + 2.15 toll-free
    assert sandbox.request_count(PRICING) == 1
    assert 0 < redis_client.ttl(PRICES_KEY) <= 24 * 3600


def test_with_twilio_down_the_count_stays_and_the_cost_is_unknown(client, auth, app, sandbox):
    app.config.update(TWILIO_MAX_ATTEMPTS=1)
    sandbox.set_faults("503=1.0")
    make_number(make_business(status=BusinessStatus.CANCELLED))
    auth.login(Role.VIEWER)

    page = client.get("/admin/").text

    assert '<span class="count" data-field="cancelled-numbers">1</span>' in page
    assert "cost unknown: Twilio's prices could not be read." in page


def test_above_the_cap_the_count_and_the_cost_are_lower_bounds(app, sandbox):
    for _ in range(3):
        make_number(make_business(status=BusinessStatus.CANCELLED))

    cost = cancelled_cost(cap=2)

    assert str(cost.numbers) == "more than 2"
    assert cost.at_least
    assert cost.monthly == Decimal("2.30")  # the 2 counted, at 1.15 each
