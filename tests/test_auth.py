"""Sign-in, roles, CSRF and redirects."""

from __future__ import annotations

import io
import statistics
import time

import pytest

from harness.web import csrf_token
from tests.fixtures.web import TEST_PASSWORD, make_user
from webapp.auth.sign_in import SIGN_IN_FAILED
from webapp.models import Role
from webapp.models.user import DEMO_ADMIN_EMAIL

CONSOLE_URLS = [
    "/admin/",
    "/admin/business/",
    "/admin/business/new/",
    "/admin/business/details/?id=00000000-0000-0000-0000-000000000000",
    "/admin/phonenumber/",
    "/admin/activity/",
    "/admin/user/",
]


def console_urls(app) -> list[str]:
    """Every GET URL of the console that takes no path argument, plus the fixed list above."""
    found = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        and "GET" in rule.methods
        and not rule.arguments
        and not rule.endpoint.endswith("static")
    }
    return sorted(found | set(CONSOLE_URLS))


def test_every_console_url_sends_anonymous_visitors_to_sign_in(app, client):
    urls = console_urls(app)
    assert len(urls) >= len(CONSOLE_URLS)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_sign_in_returns_to_next(client, auth, app):
    make_user("viewer@example.com")
    response = client.post(
        "/login?next=/admin/business/",
        data={"email": "viewer@example.com", "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/admin/business/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_open_redirects_are_refused(client, app, next_url):
    make_user("viewer@example.com")
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "viewer@example.com", "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("viewer@example.com", "wrong password"), ("nobody@example.com", TEST_PASSWORD), ("bad", "x")],
)
def test_wrong_credentials_get_one_generic_message(client, app, email, password):
    make_user("viewer@example.com")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


TIMING_SAMPLES = 15
"""Sign-ins timed per kind, interleaved so that a busy moment of the machine slows both kinds alike."""

# The CPU time of this thread, which runs the request (the test client calls the app in it): the work each
# kind of sign-in costs, which the other test processes running beside it cannot blur as they blur a clock.


def median_sign_in_seconds(client, emails: list[str], samples: int) -> dict[str, float]:
    """Median CPU time of a refused sign-in for each e-mail in `emails`, over `samples` rounds."""
    token = csrf_token(client)
    times: dict[str, list[float]] = {email: [] for email in emails}
    for _ in range(samples):
        for email in emails:
            started = time.thread_time()
            response = client.post(
                "/login", data={"email": email, "password": "not the password", "csrf_token": token}
            )
            times[email].append(time.thread_time() - started)
            assert SIGN_IN_FAILED in response.get_data(as_text=True)
    return {email: statistics.median(taken) for email, taken in times.items()}


@pytest.mark.once_in_ci  # a matter of scrypt's time, the same on either database
def test_a_refused_sign_in_takes_as_long_for_an_unknown_email(unthrottled, client, app):
    make_user("known@example.com")
    make_user("gone@example.com", active=False)
    emails = ["known@example.com", "nobody@example.com", "gone@example.com"]
    median_sign_in_seconds(client, emails, 1)  # warm-up: the stand-in hash is made on first use
    medians = median_sign_in_seconds(client, emails, TIMING_SAMPLES)
    known = medians["known@example.com"]
    for email in ("nobody@example.com", "gone@example.com"):
        assert abs(medians[email] - known) <= 0.25 * known, medians


def test_deactivated_user_cannot_sign_in(client, app):
    make_user("gone@example.com", active=False)
    response = client.post(
        "/login",
        data={"email": "gone@example.com", "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert SIGN_IN_FAILED in response.get_data(as_text=True)


def test_sign_in_records_the_time(client, auth, app):
    auth.login(Role.VIEWER)
    from webapp.extensions import db
    from webapp.models import User

    assert db.session.execute(db.select(User.last_login_at)).scalar() is not None


def test_post_without_csrf_token_is_400(client, app):
    make_user("viewer@example.com")
    response = client.post("/login", data={"email": "viewer@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_viewer_post_to_a_change_is_403(client, auth, app):
    auth.login(Role.VIEWER)
    token = csrf_token(client)
    for url in (
        "/admin/business/new/",
        "/admin/business/delete/",
        "/admin/business/action/",
        "/admin/user/new/",
    ):
        response = client.post(url, data={"csrf_token": token, "name": "X"})
        assert response.status_code == 403, url


def test_operator_cannot_manage_users_but_admin_can(client, auth, app):
    auth.login(Role.OPERATOR)
    assert client.get("/admin/user/").status_code == 403
    auth.logout()
    auth.login(Role.ADMIN)
    assert client.get("/admin/user/").status_code == 200


def test_admin_creates_a_business(client, auth, app):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/business/new/",
        data={"name": "Acme", "status": "active", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    from webapp.extensions import db
    from webapp.models import Business

    assert db.session.execute(db.select(Business.name)).scalar() == "Acme"


def test_sign_out_needs_a_post(client, auth, app):
    auth.login(Role.VIEWER)
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_lax(client, app):
    make_user("viewer@example.com")
    response = client.post(
        "/login",
        data={"email": "viewer@example.com", "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_never_reaches_the_log(client, app, caplog):
    make_user("viewer@example.com")
    caplog.set_level("DEBUG")
    client.post(
        "/login",
        data={"email": "viewer@example.com", "password": "hunter2-secret", "csrf_token": csrf_token(client)},
    )
    assert "hunter2-secret" not in caplog.text


@pytest.mark.parametrize(
    ("on_sandbox", "demo_admin", "shown"), [(True, True, True), (True, False, False), (False, True, False)]
)
def test_the_sign_in_page_says_where_the_demo_admins_password_is_on_make_runs_sandbox(
    client, app, on_sandbox, demo_admin, shown
):
    app.config["TWILIO_SANDBOX"] = on_sandbox
    if demo_admin:
        make_user(DEMO_ADMIN_EMAIL, Role.ADMIN)

    page = client.get("/login").get_data(as_text=True)

    note = (
        "printed once, in the terminal where <code>make run</code> first started",
        f"<code>flask --app wsgi users reset-password {DEMO_ADMIN_EMAIL}</code> prints a new one",
    )
    assert all(part in page for part in note) is shown
    assert ('id="demo-admin-note"' in page) is shown


def good_form(client, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {
        "email": "viewer@example.com",
        "password": TEST_PASSWORD,
        "csrf_token": csrf_token(client),
        **fields,
    }


def odd_sign_ins(client) -> dict[str, tuple[int, str, dict]]:  # type: ignore[no-untyped-def]
    """Requests that once answered 500 with a traceback in the log: the status and sentence each must get."""
    token = csrf_token(client)
    json_headers = {"X-CSRFToken": token}
    return {
        "CR/LF in next": (
            400,
            "The page to return to after signing in is malformed",
            {"query_string": {"next": "/admin/\r\nSet-Cookie: a=b"}, "data": good_form(client)},
        ),
        "a file part": (
            400,
            "forms take no files",
            {"data": good_form(client, email=(io.BytesIO(b"viewer@example.com"), "email.txt"))},
        ),
        "non-text JSON": (
            415,
            "not JSON",
            {"json": {"email": ["viewer@example.com"], "password": {"x": 1}}, "headers": json_headers},
        ),
        "a JSON number": (
            415,
            "not JSON",
            {"data": "5", "content_type": "application/json", "headers": json_headers},
        ),
    }


@pytest.mark.parametrize("case", ["CR/LF in next", "a file part", "non-text JSON", "a JSON number"])
def test_odd_sign_in_requests_get_a_sentence_and_leave_no_traceback(client, app, caplog, case):
    make_user("viewer@example.com")
    status, sentence, request = odd_sign_ins(client)[case]
    caplog.set_level("INFO")

    response = client.post("/login", **request)

    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert sentence in response.get_data(as_text=True)
    assert not [record for record in caplog.records if record.exc_info or record.levelname == "ERROR"]
    assert client.get("/admin/").status_code == 302, "the odd request signed in"
