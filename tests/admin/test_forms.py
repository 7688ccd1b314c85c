"""A form posted back exactly as its page shows it changes nothing: every edit form, every kind of record."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from harness.web import csrf_token
from tests.admin.browser_form import posted_unchanged
from tests.admin.helpers import page_text, stored_row
from tests.factories import make_business, make_number
from tests.fixtures.web import make_user
from webapp.extensions import db
from webapp.models import Business, BusinessStatus, Role, User
from webapp.models.base import system_kept_columns


def every_kind_of_business() -> list[Business]:
    """A business of each status, with and without its optional fields, with and without a number."""
    businesses = []
    for status, filled in itertools.product(BusinessStatus, (False, True)):
        fields = (
            {
                "contact_email": "owner@example.com",
                "preferred_area_code": "415",
                "voice_url": "https://assistant.example.com/voice",
            }
            if filled
            else {}
        )
        businesses.append(make_business(status=status, **fields))
    make_number(businesses[-1])
    return businesses


def every_kind_of_user() -> list[User]:
    """A user of each role, active and deactivated, and the signed-in admin itself."""
    users = [
        make_user(f"{role.value}-{active}@example.com", role, active)
        for role, active in itertools.product(Role, (True, False))
    ]
    return [*users, db.session.execute(db.select(User).filter_by(email="admin@example.com")).scalar_one()]


RECORD_KINDS: dict[type, Callable[[], list[Any]]] = {
    Business: every_kind_of_business,
    User: every_kind_of_user,
}
"""For each model a console view edits: one record of every kind that form has to show."""


def editable_views(app) -> list[Any]:  # type: ignore[no-untyped-def]
    """The console's model views that an admin may edit records in."""
    return [
        view
        for view in app.extensions["admin"][0]._views
        if getattr(view, "model", None) is not None and view.can_edit
    ]


def test_every_edit_form_posted_back_unchanged_changes_nothing(client, auth, app):
    auth.login(Role.ADMIN, "admin@example.com")
    with app.test_request_context():
        views = editable_views(app)
    assert {view.model for view in views} == set(RECORD_KINDS), "give each edited model its kinds of record"
    checked = 0
    for view in views:
        for record in RECORD_KINDS[view.model]():
            before = stored_row(view.model, record.id)
            url = f"/admin/{view.endpoint}/edit/?id={record.id}"
            page = client.get(url)
            assert page.status_code == 200, url
            response = client.post(url, data=posted_unchanged(page_text(page)))
            assert response.status_code == 302, f"{url} refused its own form:\n{page_text(response)[:2000]}"
            assert stored_row(view.model, record.id) == before, f"{url} changed on a plain Save"
            checked += 1
    assert checked == len(BusinessStatus) * 2 + len(Role) * 2 + 1


def test_enum_selects_show_the_stored_value_in_words(client, auth, app):
    business = make_business(status=BusinessStatus.SUSPENDED)
    auth.login(Role.ADMIN)
    page = page_text(client.get(f"/admin/business/edit/?id={business.id}"))
    assert '<option selected value="suspended">Suspended</option>' in page
    assert '<option value="active">Active</option>' in page


def test_no_form_offers_a_field_the_system_keeps(client, auth, app):
    kept_by_triggers = make_number(make_business("Numbered")).business
    without = make_business("Awaiting")
    auth.login(Role.ADMIN)
    for business in (kept_by_triggers, without):
        page = page_text(client.get(f"/admin/business/edit/?id={business.id}"))
        assert 'name="status"' in page and 'name="has_number"' not in page
        posted = {
            "name": business.name,
            "status": "active",
            "has_number": "" if business.has_number else "y",
            "csrf_token": csrf_token(client),
        }
        assert client.post(f"/admin/business/edit/?id={business.id}", data=posted).status_code == 302
    db.session.expire_all()
    assert (kept_by_triggers.has_number, without.has_number) == (True, False)
    assert 'name="has_number"' not in page_text(client.get("/admin/business/new/"))
    views = [view for view in app.extensions["admin"][0]._views if hasattr(view, "model")]
    for view in views:
        for form_class in (view._create_form_class, view._edit_form_class):
            offered = {name for name in system_kept_columns(view.model) if hasattr(form_class, name)}
            assert not offered, f"{view.endpoint} offers {offered}"


def test_an_admin_sets_a_business_voice_url_and_an_http_one_is_refused(client, auth):
    business = make_business()
    auth.login(Role.ADMIN)
    url = f"/admin/business/edit/?id={business.id}"

    refused = client.post(
        url, data={**posted_unchanged(page_text(client.get(url))), "voice_url": "http://x.example.com/v"}
    )

    assert refused.status_code == 200
    assert "Voice URL must be an https:// URL" in page_text(refused)
    assert db.session.get(Business, business.id).voice_url is None
    posted = {**posted_unchanged(page_text(client.get(url))), "voice_url": "https://x.example.com/v"}
    assert client.post(url, data=posted).status_code == 302
    db.session.expire_all()
    assert db.session.get(Business, business.id).voice_url == "https://x.example.com/v"
