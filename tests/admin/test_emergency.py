"""Emergency addresses in the console: the service address form, the number page's button, the list's badge
and filter, the dashboard's count."""

from __future__ import annotations

import uuid

import pytest

from harness.web import csrf_token
from tests.admin.helpers import flashed_activity_ids, follow, page_text
from tests.factories import make_business, make_number
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, EmergencyStatus, Role, ServiceAddress

GOOD = {"street": "1 Main St", "city": "Springfield", "region": "il", "postal_code": "62701"}


def post_address(client, business, **changes):  # type: ignore[no-untyped-def]
    data = {**GOOD, **changes, "csrf_token": csrf_token(client)}
    return client.post(f"/admin/business/address/?id={business.id}", data=data)


def test_an_operator_sets_the_service_address_and_it_is_shown(client, auth, app):
    business = make_business("Bayview Dental")
    auth.login(Role.OPERATOR)

    page = follow(client, post_address(client, business))

    assert "The service address of Bayview Dental is now 1 Main St, Springfield, IL 62701." in page
    db.session.refresh(business)
    assert business.service_address == ServiceAddress("1 Main St", "Springfield", "IL", "62701")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postal_code": "6270"}, "ZIP code must be 5 digits (or ZIP+4, 94103-1234); got &#39;6270&#39;."),
        ({"region": "XX"}, "State must be a US state&#39;s two-letter code, like CA; got &#39;XX&#39;."),
        ({"street": "   "}, "Street is required."),
        ({"city": "x" * 101}, "City must be at most 100 characters."),
    ],
)
def test_a_bad_address_says_what_is_wrong_and_changes_nothing(client, auth, app, changes, message):
    business = make_business(
        address_street="9 Elm St",
        address_city="Dover",
        address_region="DE",
        address_postal_code="19901",
        twilio_address_sid="AD" + "1" * 32,
    )
    auth.login(Role.OPERATOR)

    answer = post_address(client, business, **changes)

    assert answer.status_code == 200
    assert f"{message} Nothing was changed." in page_text(answer)
    db.session.rollback()
    assert business.service_address == ServiceAddress("9 Elm St", "Dover", "DE", "19901")
    assert business.twilio_address_sid == "AD" + "1" * 32


def test_a_viewer_may_not_change_the_address_or_register_it(client, auth, app):
    number = make_number()
    auth.login(Role.VIEWER)

    assert post_address(client, number.business).status_code == 403
    answer = client.post(
        "/admin/phonenumber/emergency/",
        data={"id": number.id, "action": "register", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 403
    assert "Register emergency address" not in page_text(
        client.get(f"/admin/phonenumber/details/?id={number.id}")
    )


def test_register_is_refused_with_the_reason_while_the_business_has_no_address(client, auth, app):
    number = make_number()
    auth.login(Role.OPERATOR)

    page = page_text(client.get(f"/admin/phonenumber/details/?id={number.id}"))

    assert f"{number.business.name} has no service address: set it on the business&#39;s page first." in page
    assert 'data-action="register-emergency"' not in page


def test_register_on_the_number_page_starts_the_job(client, auth, app):
    business = make_business()
    business.set_service_address(ServiceAddress.checked(**GOOD))
    number = make_number(business)
    auth.login(Role.OPERATOR)
    assert 'data-action="register-emergency"' in page_text(
        client.get(f"/admin/phonenumber/details/?id={number.id}")
    )

    page = follow(
        client,
        client.post(
            "/admin/phonenumber/emergency/",
            data={"id": number.id, "action": "register", "csrf_token": csrf_token(client)},
        ),
    )

    [activity_id] = flashed_activity_ids(page)
    activity = db.session.get(Activity, uuid.UUID(activity_id))
    assert (activity.kind, activity.result["action"]) == (ActivityKind.EMERGENCY_ADDRESS, "register")
    assert f"Registering the emergency address of {number.formatted}." in page


def test_the_list_filters_numbers_without_a_registered_address_and_the_dashboard_counts_them(
    client, auth, app
):
    registered = make_number(emergency_address_status=EmergencyStatus.REGISTERED.value)
    failed = make_number(
        emergency_address_status=EmergencyStatus.REGISTRATION_FAILURE.value,
        emergency_address_error="Not in the 911 database. (Twilio error 21628)",
    )
    never = make_number()
    make_number(capabilities={"voice": False, "sms": True})  # takes no calls: not counted on the dashboard
    auth.login(Role.VIEWER)

    dashboard = page_text(client.get("/admin/"))
    start = dashboard.index('id="numbers-without-emergency-address"')
    assert dashboard[start : start + 300].split('<span class="count">')[1].startswith("2<"), dashboard[
        start : start + 300
    ]
    link = dashboard[start:].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    listed = page_text(client.get(link))

    assert failed.formatted in listed and never.formatted in listed
    assert registered.formatted not in listed
    assert 'title="Not in the 911 database. (Twilio error 21628)">Registration failed</span>' in listed
