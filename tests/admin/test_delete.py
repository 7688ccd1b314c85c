"""Deleting from the console: a business holding a number is kept, with what to do; a number never is."""

from __future__ import annotations

from html import unescape

from tests.admin.helpers import follow, page_text, post_action
from tests.factories import make_business, make_number
from tests.fixtures.web import csrf_token
from webapp.extensions import db
from webapp.models import Business, PhoneNumber, Role


def recorded(model: type, record_id) -> bool:  # type: ignore[no-untyped-def]
    db.session.rollback()
    return db.session.get(model, record_id) is not None


def refusal_of(number: PhoneNumber) -> str:
    return (
        f"{number.business.name} still holds {number.formatted}, which Twilio bills every month: release "
        "the number or move it to another business first, then delete the business."
    )


def test_deleting_a_business_with_a_number_is_refused_with_links_to_release_and_move(client, auth, app):
    number = make_number()
    auth.login(Role.ADMIN)

    response = client.post(
        "/admin/business/delete/",
        data={"id": str(number.business_id), "csrf_token": csrf_token(client), "url": "/admin/business/"},
    )
    page = follow(client, response)

    assert refusal_of(number) in unescape(page)
    assert f'href="/admin/phonenumber/release/?id={number.id}"' in page
    assert f'href="/admin/phonenumber/move/?id={number.id}"' in page
    assert "successfully deleted" not in page
    assert recorded(Business, number.business_id) and recorded(PhoneNumber, number.id)


def test_deleting_selected_businesses_keeps_those_with_a_number(client, auth, app):
    number = make_number()
    bare = make_business()
    auth.login(Role.ADMIN)

    page = follow(client, post_action(client, "business", "delete", [number.business_id, bare.id]))

    assert refusal_of(number) in unescape(page) and "Deleted 1 business." in page
    assert recorded(PhoneNumber, number.id) and recorded(Business, number.business_id)
    assert not recorded(Business, bare.id)


def test_a_business_without_a_number_is_deleted_as_before(client, auth, app):
    bare = make_business()
    auth.login(Role.ADMIN)

    response = client.post(
        "/admin/business/delete/", data={"id": str(bare.id), "csrf_token": csrf_token(client)}
    )

    assert "successfully deleted" in follow(client, response)
    assert not recorded(Business, bare.id)


def test_numbers_offer_no_delete_and_a_posted_delete_changes_nothing(client, auth, app):
    number = make_number()
    auth.login(Role.ADMIN)

    businesses = page_text(client.get("/admin/business/"))
    listing = page_text(client.get("/admin/phonenumber/"))
    details = page_text(client.get(f"/admin/phonenumber/details/?id={number.id}"))
    client.post("/admin/phonenumber/delete/", data={"id": str(number.id), "csrf_token": csrf_token(client)})
    post_action(client, "phonenumber", "delete", [number.id])

    assert "/admin/business/delete/" in businesses and 'data-model-action="delete"' in businesses
    assert "/admin/phonenumber/delete/" not in listing + details
    assert 'data-model-action="delete"' not in listing
    assert recorded(PhoneNumber, number.id)
