"""The "Choose a number…" page: search in the request, buy the pick through a job, refuse viewers."""

from __future__ import annotations

import re

import pytest

from harness.workers import sandbox_settings
from tests.admin.helpers import flashed_activity_ids, follow, page_text
from tests.factories import make_business
from tests.fixtures.web import csrf_token
from webapp.admin.choose_number import NOTHING_CHOSEN
from webapp.extensions import db
from webapp.jobs.reads.number_costs import read_prices
from webapp.jobs.reads.number_search import TWILIO_DOWN
from webapp.models import Activity, ActivityKind, BusinessStatus, Role


@pytest.fixture
def app_settings(app_settings, sandbox):
    """The console's searches go to this test's sandbox."""
    return {**app_settings, **sandbox_settings(sandbox)}


def choose_url(business, **search) -> str:
    query = "&".join(f"{key}={value}" for key, value in search.items())
    return f"/admin/business/choose-number/?id={business.id}" + (f"&searched=1&{query}" if search else "")


def test_search_shows_numbers_with_locality_capabilities_and_address_need(client, auth, app, sandbox):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)

    page = page_text(client.get(choose_url(business, area_code="718", sms="y")))

    assert "Choose a number for Acme" in page
    assert "(718) 555-0100" in page and "Brooklyn" in page and "Address required" in page
    assert "Twilio returns at most about 30 numbers per search, so there may be more" in page
    assert sandbox.request_count("GET /AvailablePhoneNumbers/{Country}/Local.json") == 1
    assert sandbox.owned_count() == 0


def test_the_form_shows_the_search_it_ran(client, auth, app, sandbox):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)

    page = client.get(choose_url(business, number_type="toll-free", contains="888", mms="y")).text

    assert '<option value="toll-free" selected>' in page
    assert 'name="contains" value="888"' in page and 'id="mms" name="mms" value="y" checked' in page
    assert "(888) 555-0100" in page


def test_with_twilio_down_the_page_says_so_in_one_sentence(client, auth, app, sandbox):
    app.config.update(TWILIO_MAX_ATTEMPTS=1)
    sandbox.set_faults("503=1.0")
    business = make_business("Acme")
    auth.login(Role.OPERATOR)

    response = client.get(choose_url(business, area_code="415"))

    assert response.status_code == 200
    assert TWILIO_DOWN in page_text(response)
    assert sandbox.owned_count() == 0
    assert db.session.scalars(db.select(Activity)).all() == []


def test_bad_filters_are_explained_and_nothing_is_asked(client, auth, app, sandbox):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)

    page = page_text(client.get(choose_url(business, region="California")))

    assert "two capital letters" in page
    assert sandbox.request_counts() == {}


def test_picking_a_number_enqueues_its_provision(client, auth, app, sandbox):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)
    token = csrf_token(client)

    response = client.post(choose_url(business), data={"csrf_token": token, "phone_number": "+17185550101"})

    assert response.headers["Location"].endswith(f"/admin/business/details/?id={business.id}")
    page = follow(client, response)
    [activity] = db.session.scalars(db.select(Activity)).all()
    assert activity.kind == ActivityKind.PROVISION and activity.result == {"requested_number": "+17185550101"}
    assert "Buying (718) 555-0101 for Acme." in page
    assert flashed_activity_ids(page) == [str(activity.id)]


@pytest.mark.parametrize("form", [{"phone_number": ""}, {"phone_number": "  "}, {}])
def test_buying_with_no_number_chosen_is_refused_and_buys_nothing(client, auth, app, sandbox, form):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)

    response = client.post(choose_url(business), data={"csrf_token": csrf_token(client), **form})

    assert NOTHING_CHOSEN in follow(client, response)
    assert db.session.scalars(db.select(Activity)).all() == [] and sandbox.request_counts() == {}


def test_a_business_that_may_not_get_a_number_is_not_searched(client, auth, app, sandbox):
    business = make_business("Trial Co", status=BusinessStatus.TRIAL)
    auth.login(Role.OPERATOR)

    page = page_text(client.get(choose_url(business, area_code="415")))

    assert "No number can be bought: this business is trial, not active." in page
    assert sandbox.request_counts() == {}


def test_a_viewer_may_neither_search_nor_buy(client, auth, app, sandbox):
    business = make_business("Acme")
    auth.login(Role.VIEWER)
    token = csrf_token(client)

    assert client.get(choose_url(business, area_code="415")).status_code == 403
    posted = client.post(choose_url(business), data={"csrf_token": token, "phone_number": "+14155550100"})

    assert posted.status_code == 403
    assert sandbox.request_counts() == {} and db.session.scalars(db.select(Activity)).all() == []


def test_the_business_page_links_to_choose_a_number_for_operators_only(client, auth, app):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)
    assert "Choose a number…" in client.get(f"/admin/business/details/?id={business.id}").text
    auth.logout()
    auth.login(Role.VIEWER, email="viewer2@example.com")
    assert "Choose a number…" not in client.get(f"/admin/business/details/?id={business.id}").text


def test_the_form_starts_from_the_preferred_area_code_with_hints_and_the_monthly_price(
    client, auth, app, sandbox
):
    business = make_business("Acme", preferred_area_code="718")
    auth.login(Role.OPERATOR)

    before_prices = client.get(choose_url(business)).text
    read_prices()  # the job the page asked for, here in the test
    page = client.get(choose_url(business)).text
    toll_free = client.get(choose_url(business, number_type="toll-free", area_code="")).text

    assert (
        "The monthly price of a local number is being read from Twilio; reload in a moment." in before_prices
    )
    assert 'name="area_code" value="718"' in page and 'id="available-numbers"' not in page  # not searched yet
    assert "A local number costs 1.15 USD a month." in page
    assert "A toll-free number costs 2.15 USD a month." in toll_free
    assert 'name="area_code" value=""' in toll_free  # a search without an area code keeps it so
    placeholders = re.findall(r'placeholder="([^"]*)"', page)
    assert placeholders and all(hint.startswith("e.g. ") for hint in placeholders), placeholders
