"""Bad input everywhere a support agent can type: every list's search and filters, record ids, and every
form (sign-in, businesses, users). Malformed and overlong E.164s, SIDs and area codes, Unicode names, HTML
and SQL fragments end in a form error or an empty result, never a 500; text stored is shown escaped.

Hypothesis reuses one app per test (the examples only read, or add rows no other example depends on).
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from harness.web import admin_view, csrf_token
from tests.admin.helpers import page_text
from tests.factories import make_business, make_number
from tests.jobs.helpers import count
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, Business, Role, User

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE businesses; --",
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "\x00",
    "{{ 7 * 7 }}",
    "Zoë Straße Café",
    "Ünïcödé 中文 🐍",
    "\u202emirrored",
    "٤١٥٥٥٥٠١٠٠",
    "+1 (415) 555-0100",
    "+14155550100" * 6,
    "+1415555010",
    "+999999999999999999999",
    "1" * 400,
    "PN" + "a" * 32,
    "PN" + "z" * 40,
    "AC" + "0" * 31,
    "415",
    "099",
    "41",
    "4155",
    "a" * 300,
)
"""Fragments an agent may paste, or an attacker may send."""

typed = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.from_regex(r"\+?[0-9 ().\-]{0,30}", fullmatch=True),
    st.from_regex(r"(PN|AC|CA)[0-9a-fA-Fz]{0,40}", fullmatch=True),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), min_size=2, max_size=4).map("".join),
)
"""Text for any input: hostile fragments, arbitrary Unicode, phone-like and SID-like strings, mixes."""

FUZZ = settings(
    max_examples=30,
    database=None,  # no .hypothesis folder in the checkout; the @example lines keep the regressions
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LIST_VIEWS = ("business", "phonenumber", "activity", "user")


def assert_not_a_server_error(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, f"{what} answered {response.status_code}:\n{page_text(response)[:800]}"


def seed() -> dict[str, Any]:
    """A few rows of every kind, so lists and details have something to format."""
    business = make_business("Seeded Bakery", preferred_area_code="415", contact_email="owner@example.com")
    number = make_number(business, webhook_error="Twilio said no.")
    activity = Activity(kind=ActivityKind.PROVISION, status=ActivityStatus.FAILED, business=business)
    db.session.add(activity)
    db.session.commit()
    return {"business": business.id, "phonenumber": number.id, "activity": activity.id}


def list_queries(app: Flask) -> list[tuple[str, str]]:
    """Every list's search argument and the argument of each of its filters, as (path, argument)."""
    queries = []
    for endpoint in LIST_VIEWS:
        view = admin_view(app, endpoint)
        if view.column_searchable_list:
            queries.append((f"/admin/{endpoint}/", "search"))
        for index, flt in enumerate(view._filters or []):
            queries.append((f"/admin/{endpoint}/", f"flt0_{view.get_filter_arg(index, flt)}"))
    return queries


def test_every_search_filter_and_record_id_answers_without_a_server_error(app, client, auth):
    auth.login(Role.ADMIN)
    seed()
    queries = list_queries(app)
    assert len(queries) >= 12, queries

    @FUZZ
    @given(value=typed)
    @example(value="\x00")  # PostgreSQL refuses NUL bytes in text: once a 500, now a plain 400
    @example(value="9" * 40)
    def check(value: str) -> None:
        for path, argument in queries:
            response = client.get(path, query_string={argument: value})
            assert_not_a_server_error(response, f"{path}?{argument}={value!r}")
        for endpoint in LIST_VIEWS:
            response = client.get(f"/admin/{endpoint}/details/", query_string={"id": value})
            assert_not_a_server_error(response, f"{endpoint} details of {value!r}")
        response = client.get("/admin/activity/status/", query_string={"id": value})
        assert response.status_code == 404, f"status of {value!r}: {response.status_code}"

    check()


def post_form(client: FlaskClient, url: str, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, data={**fields, "csrf_token": csrf_token(client)})


def shown_escaped(client: FlaskClient, url: str, text: str) -> None:
    """Assert the page at `url` shows `text` escaped, never as markup."""
    page = page_text(client.get(url))
    if re.search(r"[<>\"'&]", text):
        assert text not in page, f"{text!r} is shown unescaped on {url}"
    assert (
        str(escape(text)) in page
        or str(escape(text)).replace("&#39;", "&#x27;") in page
        or (text.strip() != text)
    ), f"{text!r} is not shown on {url}"


def test_business_forms_answer_form_errors_never_a_500_and_show_what_they_store_escaped(app, client, auth):
    auth.login(Role.ADMIN)
    existing = make_business("Editable Bakery").id

    @FUZZ
    @given(
        name=typed,
        email=st.one_of(st.just(""), st.just("owner@example.com"), typed),
        area_code=st.one_of(st.just(""), st.just("415"), typed),
        status=st.sampled_from(["active", "trial", "x<b>"]),
    )
    def check(name: str, email: str, area_code: str, status: str) -> None:
        fields = {"name": name, "contact_email": email, "preferred_area_code": area_code, "status": status}
        before = {row.id for row in db.session.scalars(db.select(Business))}
        created = post_form(client, "/admin/business/new/", fields)
        assert_not_a_server_error(created, f"new business {fields!r}")
        edited = post_form(client, f"/admin/business/edit/?id={existing}", fields)
        assert_not_a_server_error(edited, f"edited business {fields!r}")
        db.session.rollback()
        for business in db.session.scalars(db.select(Business).where(Business.id.not_in(before))):
            shown_escaped(client, f"/admin/business/details/?id={business.id}", business.name)

    check()
    assert count(Business) > 1, "no example was stored: escaping was never checked"


def test_user_form_answers_form_errors_never_a_500_and_shows_what_it_stores_escaped(app, client, auth):
    auth.login(Role.ADMIN)

    @FUZZ
    @given(
        local=typed,
        password=st.one_of(st.just("long enough password"), typed),
        role=st.sampled_from(["viewer", "admin", "<b>", ""]),
    )
    @example(local="\x00", password="long enough password", role="viewer")
    def check(local: str, password: str, role: str) -> None:
        email = local if "@" in local else f"{local}@example.com"
        fields = {"email": email, "password": password, "role": role, "active": "y"}
        assert_not_a_server_error(post_form(client, "/admin/user/new/", fields), f"new user {fields!r}")

    check()
    db.session.rollback()
    for user in db.session.scalars(db.select(User).where(User.email != "admin@example.com")):
        shown_escaped(client, f"/admin/user/details/?id={user.id}", user.email)
    assert count(User) > 1, "no example was stored: escaping was never checked"


def test_sign_in_form_answers_a_form_error_never_a_500(unthrottled, app, client):
    @FUZZ
    @given(email=typed, password=typed)
    @example(email="\x00@example.com", password="\x00")
    def check(email: str, password: str) -> None:
        signed_in = post_form(client, "/login", {"email": email, "password": password})
        assert_not_a_server_error(signed_in, f"sign-in as {email!r}")
        assert signed_in.status_code == 200, "a made-up sign-in got in"

    check()


STORED = "<img src=x onerror=\"alert(1)\"> & 'quoted' </td>"
"""Text that breaks a page if any template or formatter marks it safe."""


def test_stored_text_is_shown_escaped_on_every_page(app, client, auth):
    business = make_business(f"Bakery {STORED}", contact_email="owner@example.com")
    number = make_number(business, webhook_error=f"Twilio: {STORED}")
    activity = Activity(
        kind=ActivityKind.PROVISION,
        status=ActivityStatus.FAILED,
        business=business,
        error=f"Failed: {STORED}",
        result={"note": STORED, "step": STORED},
    )
    db.session.add(activity)
    db.session.commit()
    auth.login(Role.ADMIN)

    pages = [
        "/admin/",
        "/admin/business/",
        f"/admin/business/details/?id={business.id}",
        "/admin/phonenumber/",
        f"/admin/phonenumber/details/?id={number.id}",
        "/admin/activity/",
        f"/admin/activity/details/?id={activity.id}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<img src=x" not in page_text(response), f"stored HTML is live on {url}"
        assert "&lt;img src=x" in page_text(response), f"the stored text is not shown on {url}"


NAMELESS_PART = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
"""A multipart body whose one part has no name (its header broken), as a probe sends it."""


def test_file_parts_and_nameless_fields_are_a_400_before_anything_reads_them(app, client, auth, caplog):
    business = make_business("Editable Bakery")
    auth.login(Role.ADMIN)
    caplog.set_level("INFO")
    form = {
        "name": (io.BytesIO(b"x" * 300), "name.txt"),
        "status": "active",
        "csrf_token": csrf_token(client),
    }

    uploaded = client.post(f"/admin/business/edit/?id={business.id}", data=form)
    nameless = client.post("/login", data=NAMELESS_PART, content_type="multipart/form-data; boundary=b")

    assert uploaded.status_code == 400 and "forms take no files" in page_text(uploaded)
    assert nameless.status_code == 400 and "one of its fields has no name" in page_text(nameless)
    assert not [record for record in caplog.records if record.exc_info or record.levelname == "ERROR"]
    db.session.expire_all()
    assert db.session.get(Business, business.id).name == "Editable Bakery"
