"""Every POST endpoint, enumerated from `app.url_map` so a new one is covered the day it is added, is tried
anonymous, without a CSRF token (a forged cross-site form, from an admin's browser) and from a viewer's
session: each is refused for that reason, and the database and Redis are exactly as before.

Then random bodies (forms, JSON, multipart with files, raw bytes of odd types, control characters, huge
values) go to every POST endpoint, and random text to every list's search and filters, anonymous and as
each role: nothing answers 5xx and nothing logs a traceback.

Each identity runs in an app context of its own: Flask-WTF caches the CSRF token in `g`, and a token
cached for another client would be refused for the wrong reason.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from redis import Redis
from werkzeug.routing import Rule

from harness.web import admin_view, csrf_token
from tests.admin.helpers import page_text
from tests.factories import make_business, make_number
from tests.fixtures.web import AuthActions
from tests.reliability.test_bad_input import NAMELESS_PART, typed
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.jobs.enqueue.queue import QUEUE_NAME
from webapp.models import Activity, ActivityKind, ActivityStatus, Role

# What a POST does with any body or identity is the web layer's, the same on either database (the
# searches' database side is test_bad_input's, which runs on both).
pytestmark = pytest.mark.once_in_ci

SITE = "http://localhost"
FORGER = "https://forger.example.com"

OPEN_TO = {
    "auth.login": {"anonymous", "viewer"},  # signing in is what the form is for (no credentials: refused)
    "auth.logout": {"viewer"},  # any signed-in user may sign out; it changes only their session
    "phonenumber.health_refresh_view": {"viewer"},  # a read from Twilio, which viewers may ask for
}
"""Endpoints an identity may legitimately post to; everything else must refuse it."""

RECEIVER = "callbacks.call_status"
"""Twilio's status callbacks: no session or CSRF token, its signature is the credential."""

UNSIGNED_CALLBACK = {
    "CallSid": "CA" + "0" * 32,
    "AccountSid": "AC" + "0" * 32,
    "To": "+14155550100",
    "From": "+14155550199",
    "CallStatus": "completed",
}
"""A well-formed status callback that nobody signed: whoever posts it is refused."""

FORMS = {
    "business": {"name": "Forged Bakery", "status": "active", "contact_email": "", "preferred_area_code": ""},
    "user": {"email": "forged@example.com", "role": "admin", "active": "y", "password": "forged password"},
}
"""A valid form per model, so a refusal is never just a form error."""


def snapshot(redis: Redis) -> dict[str, Any]:
    """Every row of every table, and every Redis key's serialized value."""
    db.session.rollback()
    tables = {
        table.name: sorted(tuple(map(str, row)) for row in db.session.execute(table.select()))
        for table in db.metadata.sorted_tables
    }
    return {"tables": tables, "redis": {key: redis.dump(key) for key in sorted(redis.keys("*"))}}


def post_endpoints(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert len(rules) >= 20, [rule.rule for rule in rules]
    return rules


def requests_for(app: Flask, rule: Rule, records: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (URL, form) pairs that would change something if the endpoint accepted them."""
    values = {"job_id": records["job_id"], "queue_name": QUEUE_NAME, "registry_name": "failed"}
    url = rule.build({name: values.get(name, "x") for name in rule.arguments}, append_unknown=False)[1]
    model, _, method = rule.endpoint.partition(".")
    record_id = str(records.get(model, records["business"]))
    form = FORMS.get(model, {"name": "Forged"})
    if method == "action_view":
        for name, _text in admin_view(app, model)._actions:
            yield url, {"action": name, "rowid": list(records["ids"].get(model, [record_id]))}
    elif method == "create_view":
        yield url, form
    elif method == "edit_view":
        yield f"{url}?id={record_id}", form
    elif method == "delete_view":
        yield url, {"id": record_id}
    elif method == "ajax_update":
        yield url, {"list_form_pk": record_id, **form}
    else:
        yield url, {}


@pytest.fixture
def records(app: Flask) -> dict[str, Any]:
    """One record of each kind, a job waiting on the queue, and who to act on."""
    business = make_business("Untouched Bakery")
    number = make_number(make_business("Numbered Deli"))
    failed = Activity(kind=ActivityKind.PROVISION, status=ActivityStatus.FAILED, business=business, error="x")
    db.session.add(failed)
    db.session.commit()
    queued = enqueue_provision(make_business("Queued Cafe"), None)
    return {
        "business": business.id,
        "phonenumber": number.id,
        "activity": failed.id,
        "job_id": queued.rq_job_id,
        "ids": {"activity": [str(failed.id), str(queued.id)]},
    }


def signed_in(app: Flask, role: Role | None) -> FlaskClient:
    client = app.test_client()
    if role is not None:
        AuthActions(client).login(role)
    return client


def check_refusals(app: Flask, redis: Redis, records: dict[str, Any], identity: str) -> list[str]:
    """Post to every endpoint as `identity`; return what was not refused as it should be."""
    role = {"anonymous": None, "forged": Role.ADMIN, "viewer": Role.VIEWER}[identity]
    problems = []
    with app.app_context():
        client = signed_in(app, role)
        before = snapshot(redis)
        for rule in post_endpoints(app):
            if identity in OPEN_TO.get(rule.endpoint, ()):
                continue
            for url, form in requests_for(app, rule, records):
                if rule.endpoint == RECEIVER:
                    response = client.post(url, data=UNSIGNED_CALLBACK)
                    refused = response.status_code == 403
                elif identity == "forged":
                    response = client.post(url, data=form, headers={"Origin": FORGER})
                    expected = 403 if rule.endpoint.startswith("rq_dashboard.") else 400
                    refused = response.status_code == expected
                else:
                    data = {**form, "csrf_token": csrf_token(client)}
                    response = client.post(url, data=data, headers={"Origin": SITE, "Referer": SITE + "/"})
                    if identity == "anonymous":
                        refused = response.status_code == 302 and "/login" in response.headers["Location"]
                    else:
                        refused = response.status_code == 403
                if not refused:
                    problems.append(f"{identity} {url}: {response.status_code} {page_text(response)[:80]!r}")
        after = snapshot(redis)
    if before != after:
        problems.append(f"{identity}: the posts changed the database or Redis")
    return problems


@pytest.mark.parametrize("identity", ["anonymous", "forged", "viewer"])
def test_every_post_endpoint_refuses_and_changes_nothing(app, redis_client, records, identity):
    assert check_refusals(app, redis_client, records, identity) == []


# Random bodies: whatever reaches an endpoint, a person or a probe, answers below 500 and logs no traceback.

FIELD_NAMES = (
    "email", "password", "name", "status", "contact_email", "preferred_area_code", "role", "active",
    "phone_number", "area_code", "number", "business", "reason", "last_four", "confirm", "action", "rowid",
    "id", "url", "list_form_pk", "csrf_token", "next",
)  # fmt: skip
"""Field names the console's forms read, so random values reach the code that parses them."""

HUGE = ("9" * 5_000, "a" * 70_000, "\x00" * 300, "\r\n" * 2_000, "%" * 3_000)
"""Values far past any field's size: more digits than int() converts, more text than any column holds."""

ODD_CONTENT_TYPES = (
    "text/plain",
    "application/xml",
    "application/json",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=nope",
    "multipart/form-data",
    "application/octet-stream",
    "",
)

text_values = st.one_of(typed, st.sampled_from(HUGE), st.text(alphabet=st.characters(max_codepoint=0x1F)))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text_values,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
form_fields = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), text_values, max_size=6)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """What one post sends: a form, JSON, multipart with files (as bytes), or raw bytes of any type."""
    kind = draw(st.sampled_from(["form", "json", "multipart", "raw"]))
    if kind == "form":
        return {"data": draw(form_fields)}
    if kind == "json":
        return {"json": draw(st.dictionaries(st.sampled_from(FIELD_NAMES), json_values) | json_values)}
    if kind == "multipart":
        files = draw(
            st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), st.binary(max_size=64))
        )
        return {"data": draw(form_fields), "files": files, "content_type": "multipart/form-data"}
    raw = draw(st.binary(max_size=200) | text_values.map(lambda text: text.encode("utf-8", "surrogatepass")))
    return {"data": raw, "content_type": draw(st.sampled_from(ODD_CONTENT_TYPES))}


def post_arguments(body: dict[str, Any], token: str | None) -> dict[str, Any]:
    """`client.post`'s keyword arguments for `body`: its files opened afresh, the CSRF token added."""
    arguments = {key: value for key, value in body.items() if key != "files"}
    if isinstance(body.get("data"), dict):
        files = {name: (io.BytesIO(content), "f.txt") for name, content in body.get("files", {}).items()}
        arguments["data"] = {**body["data"], **files, **({"csrf_token": token} if token else {})}
    return arguments


SWEEP = settings(
    max_examples=8,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def sweep_urls(app: Flask, records: dict[str, Any]) -> list[str]:
    """Every POST endpoint's URL (with a record's id where it takes one), signing out last."""
    urls = {url for rule in post_endpoints(app) for url, _form in requests_for(app, rule, records)}
    return sorted(urls, key=lambda url: (url == "/logout", url))


def list_arguments(app: Flask) -> list[tuple[str, str]]:
    """Every list's search argument and each of its filters' arguments, as (list URL, argument)."""
    found = []
    for view in app.extensions["admin"][0]._views:
        if not hasattr(view, "model"):
            continue
        if view.column_searchable_list:
            found.append((view.url + "/", "search"))
        filters = enumerate(view._filters or [])
        found += [(view.url + "/", f"flt0_{view.get_filter_arg(index, flt)}") for index, flt in filters]
    return found


@pytest.mark.parametrize(
    "role", [None, Role.VIEWER, Role.OPERATOR, Role.ADMIN], ids=lambda r: r or "anonymous"
)
def test_random_bodies_searches_and_filters_never_get_a_server_error(unthrottled, app, records, caplog, role):
    urls, arguments = sweep_urls(app, records), list_arguments(app)
    assert len(urls) >= 20 and len(arguments) >= 15, (urls, arguments)
    client = signed_in(app, role)
    caplog.set_level("WARNING")

    @SWEEP
    @given(body=bodies(), value=text_values, with_token=st.booleans())
    @example(
        body={"data": {"name": "x"}, "files": {"email": b"x"}, "content_type": "multipart/form-data"},
        value="9" * 4_400,
        with_token=True,
    )
    @example(body={"json": {"email": ["x"], "password": {"a": 1}}}, value="\r\n", with_token=True)
    @example(
        body={"data": NAMELESS_PART, "content_type": "multipart/form-data; boundary=b"},
        value="",
        with_token=False,
    )
    def check(body: dict[str, Any], value: str, with_token: bool) -> None:
        if role is not None:
            AuthActions(client).login(role)  # the sweep's last post signs out
        token = csrf_token(client)
        headers = {"Origin": SITE, "Referer": SITE + "/", **({"X-CSRFToken": token} if with_token else {})}
        for url in urls:
            response = client.post(
                url, headers=headers, **post_arguments(body, token if with_token else None)
            )
            response.close()
            assert response.status_code < 500, f"{role} POST {url} {body!r:.300}: {response.status_code}"
        for path, argument in arguments:
            response = client.get(path, query_string={argument: value})
            assert response.status_code < 500, f"{role} GET {path}?{argument}={value!r:.100}"

    check()
    tracebacks = [
        record.getMessage() for record in caplog.records if record.exc_info or record.levelname == "ERROR"
    ]
    assert tracebacks == []
