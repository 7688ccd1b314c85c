"""/healthz without sign-in, and rq-dashboard at /admin/rq/ for admins only."""

from __future__ import annotations

import threading
import time

import pytest

from tests.admin.helpers import build_url, page_text
from tests.fixtures.web import AuthActions
from webapp.models import Role


def test_healthz_tells_anonymous_callers_only_ok(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_shows_signed_in_users_every_part(client, auth, app):
    auth.login(Role.VIEWER)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "error": None} and body["redis"] == {"ok": True, "error": None}
    assert body["breakers"]["twilio:purchase_number"]["state"] == "closed"


def test_healthz_is_503_quickly_when_redis_is_down(app_on_dead_redis):
    client = app_on_dead_redis.test_client()
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 8
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded"}


def test_healthz_names_the_part_that_is_down_to_signed_in_users(app_on_dead_redis):
    client = app_on_dead_redis.test_client()
    AuthActions(client).login(Role.VIEWER)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False and body["redis"]["error"]


def test_healthz_is_503_without_details_when_the_database_is_down(client, auth, app, monkeypatch):
    from webapp import health

    def unreachable() -> None:
        raise ConnectionRefusedError

    auth.login(Role.ADMIN)
    monkeypatch.setattr(health, "database_check", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded"}, "a session cannot be checked without the database"


def test_healthz_reports_a_hung_database_as_down_within_its_timeout(client, app, monkeypatch, caplog):
    from webapp import health

    released = threading.Event()
    monkeypatch.setattr(health, "database_check", lambda: released.wait(30))
    started = time.monotonic()
    assert health.answers_within(health.database_check, 0.2) == "no answer within 0 s"
    assert time.monotonic() - started < 1

    started = time.monotonic()
    response = client.get("/healthz")
    took = time.monotonic() - started
    released.set()

    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded"}, "a session cannot be checked without the database"
    timeout = health.CHECK_TIMEOUT_SECONDS
    assert f"database=no answer within {timeout:.0f} s redis=None" in caplog.text
    assert timeout <= took < timeout + 2, f"/healthz took {took:.1f} s with a hung database"


@pytest.mark.parametrize("url", ["/admin/rq/", "/admin/rq/0/data/queues.json", "/admin/rq/0/view/workers"])
def test_rq_dashboard_sends_anonymous_visitors_to_sign_in(client, app, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/rq/")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_rq_dashboard_refuses_non_admins(client, auth, app, role):
    auth.login(role)
    assert client.get("/admin/rq/").status_code == 403
    assert client.get("/admin/rq/0/data/queues.json").status_code == 403
    assert (
        client.post("/admin/rq/queue/switchboard/compact", headers={"Origin": "http://localhost"}).status_code
        == 403
    )


def test_rq_dashboard_serves_admins_from_the_apps_redis(client, auth, app):
    from webapp.jobs.enqueue.queue import get_queue

    get_queue().enqueue("builtins.print", "queued for the dashboard")
    auth.login(Role.ADMIN)
    assert client.get("/admin/rq/").status_code == 200
    queues = client.get("/admin/rq/0/data/queues.json").get_json()["queues"]
    assert {"name": "switchboard", "count": 1} in [{"name": q["name"], "count": q["count"]} for q in queues]


def test_rq_dashboard_refuses_cross_site_posts(client, auth, app):
    from webapp.jobs.enqueue.queue import get_queue

    get_queue().enqueue("builtins.print", "a job to compact around")
    auth.login(Role.ADMIN)
    forged = client.post("/admin/rq/queue/switchboard/compact", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    unsourced = client.post("/admin/rq/queue/switchboard/compact")
    assert unsourced.status_code == 403
    same_site = client.post("/admin/rq/queue/switchboard/compact", headers={"Origin": "http://localhost"})
    assert same_site.status_code == 200, page_text(same_site)


def rq_dashboard_urls(app) -> list[tuple[str, set[str]]]:  # type: ignore[no-untyped-def]
    """Every rq-dashboard rule as a URL (on the Switchboard queue, a job id that exists) and its methods."""
    values = {"instance_number": 0, "queue_name": "switchboard", "registry_name": "failed", "job_id": "x"}
    values.update(per_page=10, order="asc", page=1)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("rq_dashboard.") and not rule.endpoint.endswith("static"):
            found.append((build_url(rule, values), set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    assert len(found) >= 15, found
    return found


def test_every_rq_dashboard_route_that_changes_something_refuses_get(client, auth, app, redis_client):
    from webapp.jobs.enqueue.queue import get_queue

    job = get_queue().enqueue("builtins.print", "a job nothing may touch by GET")
    auth.login(Role.ADMIN)
    before = {key: redis_client.dump(key) for key in redis_client.keys("*")}
    changing = []
    for url, methods in rq_dashboard_urls(app):
        url = url.replace("/x", f"/{job.id}")
        answer = client.get(url, headers={"Referer": "https://evil.example/mail"})
        answer.close()
        if "POST" in methods:
            changing.append(url)
            assert answer.status_code == 405, url
            assert client.post(url, headers={"Origin": "https://evil.example"}).status_code == 403, url
        else:  # a page or its data: what matters is that Redis is unchanged after them all
            assert answer.status_code < 500, f"{url}: {answer.status_code}"
    assert {key: redis_client.dump(key) for key in redis_client.keys("*")} == before
    assert any("/requeue/switchboard" in url for url in changing), changing
