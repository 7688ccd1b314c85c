"""Every response carries the security headers, and no page holds a script the policy would block."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import build_url
from webapp.models import Role

pytestmark = pytest.mark.once_in_ci  # headers are the same whatever the database

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
ARGUMENTS = {
    "filename": "switchboard.css",
    "export_type": "csv",
    "instance_number": 0,
    "queue_name": "switchboard",
    "registry_name": "failed",
    "per_page": 10,
    "order": "asc",
    "page": 1,
}
STATIC_FILES = {"admin.static": "vendor/jquery.min.js", "rq_dashboard.static": "js/sugar-1.2.1.min.js"}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?</script>", re.IGNORECASE | re.DOTALL)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
NONCE = re.compile(r"'nonce-([^']+)'")


def get_urls(app, job_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """One URL for every GET rule of the app (sample values for its arguments)."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()):
            values = {
                **ARGUMENTS,
                "job_id": job_id,
                "filename": STATIC_FILES.get(rule.endpoint, "switchboard.css"),
            }
            urls.add(build_url(rule, values))
    assert len(urls) > 40, sorted(urls)
    return sorted(urls)


def blocked_scripts(page: str, policy: str) -> list[str]:
    """The page's inline scripts without the response's nonce, and its inline event handlers."""
    nonce = NONCE.search(policy).group(1)
    blocked = [
        attributes
        for attributes in SCRIPT_TAG.findall(page)
        if "src=" not in attributes
        and "text/template" not in attributes
        and f'nonce="{nonce}"' not in attributes
    ]
    return blocked + INLINE_HANDLER.findall(SCRIPT_BODY.sub(r"\1</script>", page))


def test_every_get_route_sends_the_security_headers_and_no_blocked_script(client, auth, app):
    from webapp.jobs.enqueue.queue import get_queue

    job = get_queue().enqueue("builtins.print", "a job to show")
    auth.login(Role.ADMIN)
    pages_read = []
    for url in get_urls(app, job.id):
        response = client.get(url)
        response.close()
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (url, name)
        policy = response.headers["Content-Security-Policy"]
        assert (
            "frame-ancestors 'none'" in policy
            and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        ), url
        assert "Strict-Transport-Security" not in response.headers, url
        if "/static/" not in url:
            assert response.headers.get("Cache-Control") == "no-store", url
        if response.mimetype == "text/html":  # error pages and redirects too: the policy covers them
            assert not blocked_scripts(response.get_data(as_text=True), policy), url
            pages_read += [url] if response.status_code == 200 else []
    assert {"/admin/", "/admin/business/", "/admin/phonenumber/", "/admin/rq/", "/login"} <= set(pages_read)


def test_only_rq_dashboard_pages_allow_eval(client, auth, app):
    auth.login(Role.ADMIN)
    assert "'unsafe-eval'" in client.get("/admin/rq/").headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in client.get("/admin/").headers["Content-Security-Policy"]


def test_each_response_has_its_own_nonce(client, app):
    first, second = (NONCE.search(client.get("/login").headers["Content-Security-Policy"]) for _ in range(2))
    assert first.group(1) != second.group(1)


@pytest.fixture
def https_site(make_app):  # type: ignore[no-untyped-def]
    return make_app(PREFERRED_URL_SCHEME="https")


def test_hsts_is_sent_when_the_site_is_https(https_site, client, app):
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert client.get("/healthz").headers["Strict-Transport-Security"]


def test_browsers_keep_no_console_page_or_export_but_may_keep_static_files(client, auth, app):
    auth.login(Role.VIEWER)
    for url in ("/admin/", "/admin/business/", "/admin/business/export/csv/", "/login"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    static = client.get("/static/switchboard.css")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
