"""Searching businesses and numbers: any common phone format finds the number; other text searches names."""

from __future__ import annotations

import pytest

from harness.web import admin_view
from tests.admin.helpers import counted_statements, page_text
from tests.factories import make_business, make_number
from webapp.admin.search import phone_matcher
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, PhoneNumber, Role


@pytest.fixture
def businesses(app):  # type: ignore[no-untyped-def]
    acme = make_number(make_business("Acme Plumbing", contact_email="desk@acme.example"), e164="+14155551234")
    other = make_number(make_business("Bay Bikes"), e164="+14155559876")
    far = make_number(make_business("Denver Dental"), e164="+13035550100")
    return acme.business, other.business, far.business


@pytest.mark.parametrize(
    "term", ["415-555-1234", "(415) 555 1234", "4155551234", "+14155551234", "+1 415.555.1234", "14155551234"]
)
def test_every_phone_format_finds_the_same_business(client, auth, businesses, term):
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/business/", query_string={"search": term}))
    assert "Acme Plumbing" in text
    assert "Bay Bikes" not in text and "Denver Dental" not in text


@pytest.mark.parametrize(
    ("term", "found", "not_found"),
    [
        ("415", ["Acme Plumbing", "Bay Bikes"], ["Denver Dental"]),
        ("(415) 555", ["Acme Plumbing", "Bay Bikes"], ["Denver Dental"]),
        ("303-555", ["Denver Dental"], ["Acme Plumbing"]),
        ("plumb", ["Acme Plumbing"], ["Bay Bikes"]),
        ("desk@acme", ["Acme Plumbing"], ["Bay Bikes"]),
    ],
)
def test_partial_numbers_match_by_prefix_and_text_matches_names_and_emails(
    client, auth, businesses, term, found, not_found
):
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/business/", query_string={"search": term}))
    for name in found:
        assert name in text, term
    for name in not_found:
        assert name not in text, term


@pytest.mark.parametrize(
    ("term", "found", "not_found"),
    [
        ("415 559", ["+14155591000", "+14155599999"], ["+14155600000", "+14155589999"]),
        ("999", ["+19995550100", "+19999999999"], ["+19895550100"]),
    ],
)
def test_a_prefix_finds_exactly_the_numbers_that_start_with_it(client, auth, app, term, found, not_found):
    for e164 in found + not_found:
        make_number(e164=e164)
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/phonenumber/", query_string={"search": term}))
    for e164 in found:
        assert e164 in text, (term, e164)
    for e164 in not_found:
        assert e164 not in text, (term, e164)


def test_phone_search_compares_the_stored_e164_not_a_cast(client, auth, businesses):
    auth.login(Role.VIEWER)
    with counted_statements() as statements:
        client.get("/admin/business/", query_string={"search": "(415) 555-1234"})
    searches = [s for s in statements if "phone_numbers.e164" in s and "businesses" in s]
    assert searches, statements
    assert not any("CAST" in s.upper() for s in searches)


def test_numbers_page_finds_a_number_in_any_format(client, auth, businesses):
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/phonenumber/", query_string={"search": "415.555.1234"}))
    assert "(415) 555-1234" in text and "(415) 555-9876" not in text


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("acme", None),
        ("12", None),
        ("+44 20 7946 0958", None),
        ("415", "e164 >= '+1415' AND phone_numbers.e164 < '+1416'"),
        ("1 415 555", "e164 >= '+1415555' AND phone_numbers.e164 < '+1415556'"),
        ("415 59", "e164 >= '+141559' AND phone_numbers.e164 < '+141560'"),
        ("(415) 555-1234", "e164 = '+14155551234'"),
    ],
)
def test_phone_like_terms_become_an_e164_match_and_other_text_does_not(term, expected):
    matches = phone_matcher(term)
    if expected is None:
        assert matches is None
    else:
        condition = matches(PhoneNumber.e164)
        assert expected in str(condition.compile(compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    "url", ["/admin/business/", "/admin/phonenumber/", "/admin/business/export/csv/", "/admin/activity/"]
)
def test_a_search_longer_than_anything_stored_is_a_400_with_a_sentence(client, auth, app, caplog, url):
    auth.login(Role.VIEWER)
    caplog.set_level("INFO")
    view = admin_view(app, url.split("/")[2])
    first_filter = f"flt0_{view.get_filter_arg(0, view._filters[0])}"

    for argument in ("search", first_filter):
        response = client.get(url, query_string={argument: "4" * 4_400})  # int() stops at 4,300 digits

        assert response.status_code == 400
        assert "Searches and filters take at most 254 characters" in page_text(response)
        assert client.get(url, query_string={argument: "4" * 254}).status_code == 200
    assert not [record for record in caplog.records if record.exc_info or record.levelname == "ERROR"]


@pytest.fixture
def activities(app):  # type: ignore[no-untyped-def]
    """A release whose number's row is gone, a replacement (old → new), a re-sync of a number still held."""
    gone = make_business("Gone Numbers Co")
    kept = make_number(make_business("Kept Numbers Co"), e164="+13035550100")
    done = ActivityStatus.SUCCEEDED
    db.session.add_all(
        [
            Activity(kind=ActivityKind.RELEASE, status=done, business=gone, e164="+14155551234"),
            Activity(
                kind=ActivityKind.REPLACE,
                status=done,
                business=gone,
                e164="+14155550001",
                new_e164="+15125550002",
            ),
            Activity(
                kind=ActivityKind.WEBHOOK_RESYNC, status=done, business=kept.business, phone_number=kept
            ),
        ]
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("(415) 555-1234", "Release"),
        ("+14155551234", "Release"),
        ("512-555-0002", "Replace"),  # the number a replacement bought
        ("(415) 555-0001", "Replace"),
        ("303 555 0100", "Webhook resync"),  # named from its row when recorded
        ("kept numbers", "Webhook resync"),  # part of a business's name
    ],
)
def test_the_activity_list_finds_a_job_by_its_number_in_any_format_or_its_business(
    client, auth, activities, term, found
):
    auth.login(Role.VIEWER)
    rows = page_text(client.get("/admin/activity/", query_string={"search": term})).split("model-list")[1]
    kinds = {"Release", "Replace", "Webhook resync"}
    assert [kind for kind in sorted(kinds) if f">{kind}<" in rows] == [found], term


def test_the_activity_list_names_released_and_replaced_numbers(client, auth, activities):
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/activity/"))
    assert "(415) 555-1234" in text
    assert "(415) 555-0001</span> → <a" in text and "(512) 555-0002</a>" in text
