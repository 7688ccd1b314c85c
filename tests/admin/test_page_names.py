"""How pages name things: headings and titles, breakers by what they guard, the way back from rq-dashboard,
and a refused filter value that says which filter and what it expects."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from harness.web import filter_arg
from tests.admin.helpers import page_text
from tests.factories import make_business, make_number
from tests.fixtures.web import make_user
from webapp.admin.formatters import BREAKER_PURPOSES
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, Role
from webapp.twilio_client.breakers import OPERATIONS

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def names(response) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """The page's <title> and its h1 headings, as text."""
    text = page_text(response)
    assert response.status_code == 200, text[:300]
    return html.unescape(TITLE.search(text).group(1).strip()), [
        html.unescape(re.sub(r"<[^>]+>", "", h).strip()) for h in H1.findall(text)
    ]


def test_every_page_has_its_own_title_and_one_h1_naming_it(client, auth, app):
    business = make_business("Bayview Dental")
    number = make_number(business, e164="+14155550100")
    activity = Activity(kind=ActivityKind.PROVISION, status=ActivityStatus.SUCCEEDED, business=business)
    db.session.add(activity)
    db.session.commit()
    user = make_user("someone@example.com", Role.OPERATOR)
    auth.login(Role.ADMIN)
    expected = {
        "/admin/": ("Dashboard · Switchboard", "Dashboard"),
        "/admin/business/": ("Businesses · Switchboard", "Businesses"),
        f"/admin/business/details/?id={business.id}": (
            "Bayview Dental · Businesses · Switchboard",
            "Bayview Dental",
        ),
        f"/admin/business/edit/?id={business.id}": (
            "Edit Bayview Dental · Businesses · Switchboard",
            "Edit Bayview Dental",
        ),
        "/admin/business/new/": ("New business · Businesses · Switchboard", "New business"),
        "/admin/phonenumber/": ("Phone numbers · Switchboard", "Phone numbers"),
        f"/admin/phonenumber/details/?id={number.id}": (
            "(415) 555-0100 · Phone numbers · Switchboard",
            "(415) 555-0100",
        ),
        "/admin/activity/": ("Activity · Switchboard", "Activity"),
        f"/admin/activity/details/?id={activity.id}": (
            "Provision: Bayview Dental · Activity · Switchboard",
            "Provision: Bayview Dental",
        ),
        "/admin/user/": ("Users · Switchboard", "Users"),
        f"/admin/user/details/?id={user.id}": (
            "someone@example.com · Users · Switchboard",
            "someone@example.com",
        ),
    }
    for url, (title, heading) in expected.items():
        assert names(client.get(url)) == (title, [heading]), url


def test_breakers_are_named_by_what_they_guard_with_the_code_name_as_tooltip(client, auth, app):
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/"))
    assert '<span title="twilio:purchase_number">Buying numbers</span>' in text
    assert '<span title="twilio:update_number_webhook">Updating webhooks</span>' in text


def test_every_breaker_has_a_purpose():
    assert set(BREAKER_PURPOSES) == set(OPERATIONS)


def test_the_queue_pages_link_back_to_the_console(client, auth, app):
    auth.login(Role.ADMIN)
    for url in ("/admin/rq/", "/admin/rq/0/view/workers", "/admin/rq/0/view/jobs"):
        text = page_text(client.get(url))
        assert '<a class="text-white" href="/admin/" data-console-link>' in text, url
        assert 'id="navbar-dashboard"' in text  # rq-dashboard's own navbar is still there


@pytest.mark.parametrize(
    ("endpoint", "name", "operation", "value", "message"),
    [
        (
            "business",
            "Number area code",
            "equals",
            "41",
            'Filter "Number area code equals": "41" is not valid; enter three digits, e.g. 415.',
        ),
        (
            "phonenumber",
            "Business status",
            "equals",
            "closed",
            'Filter "Business status equals": "closed" is not valid; '
            "choose one of Trial, Active, Suspended, Cancelled.",
        ),
        (
            "activity",
            "Requested",
            "greater than",
            "yesterday",
            'Filter "Requested greater than": "yesterday" is not valid; '
            "enter a UTC time as YYYY-MM-DD HH:MM:SS.",
        ),
    ],
)
def test_an_invalid_filter_value_says_which_filter_and_what_it_expects(
    client, auth, app, endpoint, name, operation, value, message
):
    auth.login(Role.VIEWER)
    argument = filter_arg(app, endpoint, name, operation)
    response = client.get(f"/admin/{endpoint}/", query_string={argument: value})
    assert response.status_code == 200
    assert str(escape(message)) in page_text(response)
