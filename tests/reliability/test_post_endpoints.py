"""Every POST endpoint, enumerated from `app.url_map` so a new one is covered the day it is added, is tried
anonymous, without a CSRF token (a forged cross-site form, from an admin's browser) and from a viewer's
session: each is refused for that reason, and the database and Redis are exactly as before.

Each identity runs in an app context of its own: Flask-WTF caches the CSRF token in `g`, and a token
cached for another client would be refused for the wrong reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from werkzeug.routing import Rule

from harness.web import admin_view, csrf_token
from tests.admin.helpers import page_text
from tests.factories import make_business, make_number
from tests.fixtures.web import AuthActions
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.jobs.enqueue.queue import QUEUE_NAME
from webapp.models import Activity, ActivityKind, ActivityStatus, Role

SITE = "http://localhost"
FORGER = "https://forger.example.com"

OPEN_TO = {
    "auth.login": {"anonymous", "viewer"},  # signing in is what the form is for (no credentials: refused)
    "auth.logout": {"viewer"},  # any signed-in user may sign out; it changes only their session
    "phonenumber.health_refresh_view": {"viewer"},  # a read from Twilio, which viewers may ask for
}
"""Endpoints an identity may legitimately post to; everything else must refuse it."""

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
                if identity == "forged":
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
