"""Who sees and may use each console action: viewers read only, operators act, admins manage users."""

from __future__ import annotations

import pytest

from harness.web import csrf_token
from tests.admin.helpers import page_text
from tests.factories import make_business, make_number
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, Role

ACTION_MARKERS = ('data-action="provision"', 'data-action="resync"', 'data-action="retry"', "With selected")


def failed_activity(business) -> Activity:  # type: ignore[no-untyped-def]
    activity = Activity(
        kind=ActivityKind.PROVISION, status=ActivityStatus.FAILED, business=business, error="No numbers."
    )
    db.session.add(activity)
    db.session.commit()
    return activity


@pytest.fixture
def records(app):  # type: ignore[no-untyped-def]
    eligible = make_business("Eligible Bakery")
    number = make_number(make_business("Numbered Deli"))
    activity = failed_activity(eligible)
    return {"business": eligible, "number": number, "activity": activity}


def console_pages(records) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        "/admin/",
        "/admin/business/",
        f"/admin/business/details/?id={records['business'].id}",
        "/admin/phonenumber/",
        f"/admin/phonenumber/details/?id={records['number'].id}",
        "/admin/activity/",
        f"/admin/activity/details/?id={records['activity'].id}",
    ]


def test_viewer_sees_every_page_without_action_buttons(client, auth, records):
    auth.login(Role.VIEWER)
    for url in console_pages(records):
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(response)
        for marker in (
            *ACTION_MARKERS,
            'data-action="check-all"',
            "Re-sync all drifted",
            'value="provision"',
        ):
            assert marker not in text, f"{marker!r} shown to a viewer on {url}"


def test_operator_sees_the_action_buttons(client, auth, records):
    auth.login(Role.OPERATOR)
    assert 'data-action="provision"' in page_text(client.get("/admin/business/"))
    numbers = page_text(client.get("/admin/phonenumber/"))
    assert 'data-action="resync"' in numbers and "Compare every webhook with Twilio" in numbers
    assert "Look for failed webhook requests" in numbers  # says what it does, unlike "Check health"
    assert 'data-action="retry"' in page_text(client.get("/admin/activity/"))
    assert 'data-action="provision"' in page_text(client.get("/admin/"))


def test_ineligible_business_shows_a_disabled_provision_button_with_the_reason(client, auth, records):
    make_business("Trial Florist", status="trial")
    auth.login(Role.OPERATOR)
    text = page_text(client.get("/admin/business/"))
    assert "Cannot provision: this business already has a number." in text
    assert "Cannot provision: this business is trial, not active." in text
    assert "disabled" in text


def forged_posts(records) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    return [
        ("/admin/business/action/", {"action": "provision", "rowid": str(records["business"].id)}),
        ("/admin/phonenumber/action/", {"action": "resync", "rowid": str(records["number"].id)}),
        ("/admin/activity/action/", {"action": "retry", "rowid": str(records["activity"].id)}),
        ("/admin/phonenumber/check-all/", {}),
        ("/admin/phonenumber/resync-drifted/", {}),
        ("/admin/business/delete/", {"id": str(records["business"].id)}),
        ("/admin/user/new/", {"email": "x@example.com", "role": "admin", "password": "long enough pw"}),
    ]


def test_forged_posts_from_a_viewer_are_refused_and_change_nothing(client, auth, records):
    auth.login(Role.VIEWER)
    token = csrf_token(client)
    for url, data in forged_posts(records):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
    assert db.session.query(Activity).count() == 1


def test_posts_without_a_csrf_token_are_refused(client, auth, records):
    auth.login(Role.ADMIN)
    for url, data in forged_posts(records):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "Traceback" not in page_text(response)
    assert db.session.query(Activity).count() == 1


@pytest.mark.parametrize(
    ("role", "method", "url", "who"),
    [
        (Role.VIEWER, "POST", "/admin/phonenumber/check-all/", "operators and admins"),
        (Role.VIEWER, "POST", "/admin/business/action/", "operators and admins"),
        (Role.OPERATOR, "POST", "/admin/business/delete/", "admins"),
        (Role.OPERATOR, "GET", "/admin/user/", "admins"),
        (Role.OPERATOR, "GET", "/admin/rq/", "admins"),
    ],
)
def test_a_refusal_names_the_role_that_may_and_leads_back(client, auth, records, role, method, url, who):
    auth.login(role)
    came_from = "/admin/business/?search=Bakery"
    response = client.open(
        url,
        method=method,
        data={"action": "provision", "csrf_token": csrf_token(client)} if method == "POST" else None,
        headers={"Referer": f"http://localhost{came_from}"},
    )

    assert response.status_code == 403
    text = page_text(response)
    assert (
        f"Only {who} can do this. You are signed in as {role.value}@example.com, whose role is {role.value}"
        in text
    )
    assert f'<a href="{came_from}">Back to the page you came from</a>' in text
    assert '<a href="/admin/">Back to the console</a>' in text


def test_operators_cannot_manage_users(client, auth, records):
    auth.login(Role.OPERATOR)
    assert client.get("/admin/user/").status_code == 403
    response = client.post(
        "/admin/user/new/", data={"email": "x@example.com", "role": "admin", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 403


def test_queues_link_is_shown_to_admins_only(client, auth, records):
    auth.login(Role.OPERATOR)
    assert "/admin/rq/" not in page_text(client.get("/admin/"))
    auth.logout()
    auth.login(Role.ADMIN)
    assert "/admin/rq/" in page_text(client.get("/admin/"))
