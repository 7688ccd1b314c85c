"""The health sweep against the sandbox: one paged walk of the account's alerts, recorded per number, shown
as "Webhook failing" in the lists and the dashboard until the window passes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import insert

from harness.waits import in_new_transaction, wait_for_activity, wait_until
from harness.web import filter_arg
from tests.factories import make_business
from tests.fixtures.voice_server import VoiceServer
from tests.jobs.helpers import buy_at_sandbox, record
from tests.sandbox.helpers import add_alerts
from webapp.extensions import db
from webapp.jobs.enqueue.health import enqueue_health_sweep, enqueue_test_call
from webapp.jobs.enqueue.kinds import enqueue_resync
from webapp.jobs.enqueue.queue import get_queue
from webapp.models import Activity, ActivityKind, ActivityStatus, Business, PhoneNumber, Role
from webapp.models.base import utcnow

TEST_CALLER = "+15005550006"
FAILING_FILTER = "Webhook failing (24 h)"


@pytest.fixture
def app_settings(app_settings: dict[str, Any], voice_server: VoiceServer) -> dict[str, Any]:
    return {**app_settings, "TWILIO_VOICE_URL": voice_server.url, "TWILIO_TEST_CALLER": TEST_CALLER}


def refreshed(number: PhoneNumber) -> PhoneNumber:
    db.session.rollback()
    return db.session.get(PhoneNumber, number.id)


def test_a_failing_webhook_is_marked_counted_and_cleared(
    app, client, auth, sandbox, start_worker, voice_server: VoiceServer, closed_voice_url: str
):
    business = make_business(name="Dead Webhook Co")
    make_business(name="Healthy Co")
    dead_url = closed_voice_url
    number = record(business, buy_at_sandbox(business, voice_url=dead_url))
    start_worker()

    verdict = wait_for_activity(enqueue_test_call(number, None).id, timeout=60)
    assert verdict.error == f"Twilio could not reach {dead_url}: connection refused (11200)."
    sweep = wait_for_activity(enqueue_health_sweep(None).id)
    assert sweep.status == ActivityStatus.SUCCEEDED, sweep.error
    marked = refreshed(number)
    assert (marked.webhook_failures, marked.webhook_failure_code) == (1, "11200")
    auth.login(Role.VIEWER)

    number_page = client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(as_text=True)
    numbers_list = client.get("/admin/phonenumber/").get_data(as_text=True)
    businesses_list = client.get("/admin/business/").get_data(as_text=True)
    dashboard = client.get("/admin/").get_data(as_text=True)

    assert "11200</a> HTTP retrieval failure" in number_page and dead_url in number_page
    assert numbers_list.count(">Webhook failing<") == 1
    failing_only = client.get(f"/admin/phonenumber/?{filter_arg(app, 'phonenumber', FAILING_FILTER)}=yes")
    not_failing = client.get(f"/admin/phonenumber/?{filter_arg(app, 'phonenumber', FAILING_FILTER)}=no")
    assert number.e164 in failing_only.get_data(as_text=True)
    assert number.e164 not in not_failing.get_data(as_text=True)
    assert businesses_list.count(">Webhook failing<") == 1
    failing_row = businesses_list.split(">Webhook failing<")[0].rsplit("<tr", 1)[1]
    assert "Dead Webhook Co" in failing_row
    assert '<span class="count">1</span>' in dashboard.split('id="webhooks-failing"')[1][:400]

    assert wait_for_activity(enqueue_resync(number, None).id).status == ActivityStatus.SUCCEEDED
    passed = wait_for_activity(enqueue_test_call(refreshed(number), None).id, timeout=60)
    assert passed.status == ActivityStatus.SUCCEEDED, passed.error
    assert passed.result["verdict"].startswith("Your voice URL answered 200 in ")
    assert wait_for_activity(enqueue_health_sweep(None).id).result["alerts"] == 0

    app.config["WEBHOOK_FAILURE_WINDOW_HOURS"] = 1 / 3600  # the window: one second from now on
    wait_until(
        lambda: ">Webhook failing<" not in client.get("/admin/phonenumber/").get_data(as_text=True),
        timeout=10,
        what="the badge to clear once the window passed",
    )
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert '<span class="count">0</span>' in dashboard.split('id="webhooks-failing"')[1][:400]


def many_numbers(count: int) -> list[str]:
    """Record `count` businesses with a number each (fake SIDs: the sweep only matches alerts to them)."""
    business_ids = [uuid.uuid4() for _ in range(count)]
    now = utcnow()
    db.session.execute(
        insert(Business),
        [
            {"id": b, "name": f"Fleet {i}", "status": "active", "created_at": now, "updated_at": now}
            for i, b in enumerate(business_ids)
        ],
    )
    sids = [f"PN{uuid.uuid4().hex}" for _ in range(count)]
    db.session.execute(
        insert(PhoneNumber),
        [
            {
                "id": uuid.uuid4(),
                "business_id": b,
                "e164": f"+1415{i:07d}",
                "area_code": "415",
                "twilio_sid": sid,
                "country": "US",
                "capabilities": {},
                "webhook_status": "in_sync",
                "webhook_failures": 0,
                "created_at": now,
                "updated_at": now,
            }
            for i, (b, sid) in enumerate(zip(business_ids, sids, strict=True))
        ],
    )
    db.session.commit()
    return sids


def test_one_sweep_of_5000_alerts_over_1000_numbers_is_a_few_paged_requests(app, sandbox, start_worker):
    sids = many_numbers(1000)
    add_alerts(
        sandbox, [{"resource_sid": sid, "request_url": "https://x.example.com/voice"} for sid in sids * 5]
    )
    sandbox.reset("counts")
    start_worker()

    sweep = wait_for_activity(enqueue_health_sweep(None).id, timeout=120)

    assert sweep.status == ActivityStatus.SUCCEEDED, sweep.error
    assert sandbox.request_counts() == {"GET /v1/Alerts": 5}  # pages of 1,000, not one walk per number
    assert sweep.result["alerts"] == 5000 and sweep.result["numbers_failing"] == 1000
    db.session.rollback()
    counts = db.session.scalars(db.select(PhoneNumber.webhook_failures).distinct()).all()
    assert counts == [5]
    again = wait_for_activity(enqueue_health_sweep(None).id, timeout=60)
    assert again.result["alerts"] == 0 and sandbox.request_count("GET /v1/Alerts") == 6


def test_twilio_down_during_a_sweep_keeps_the_numbers_as_they_were(app, sandbox, start_worker):
    [sid] = many_numbers(1)
    add_alerts(sandbox, [{"resource_sid": sid}])
    start_worker()
    assert wait_for_activity(enqueue_health_sweep(None).id).status == ActivityStatus.SUCCEEDED
    sandbox.set_faults("500=1.0")

    failing = enqueue_health_sweep(None)

    def retried() -> bool:
        db.session.rollback()
        activity = db.session.get(Activity, failing.id)
        return activity.attempts >= 1 and activity.status == ActivityStatus.QUEUED

    wait_until(retried, timeout=30, what="the sweep to wait for a retry")
    db.session.rollback()
    number = db.session.scalars(db.select(PhoneNumber).filter_by(twilio_sid=sid)).one()
    assert (number.webhook_failures, number.webhook_failure_code) == (1, "11200")
    sandbox.set_faults("")


def test_the_workers_sweep_on_their_own_schedule(app, sandbox, start_worker):
    [sid] = many_numbers(1)
    add_alerts(sandbox, [{"resource_sid": sid}])
    start_worker()

    get_queue().enqueue("webapp.jobs.recurring.run_recurring", "health_sweep")

    def started() -> Activity | None:
        return db.session.scalars(db.select(Activity).filter_by(kind=ActivityKind.HEALTH_SWEEP)).first()

    wait_until(in_new_transaction(started), timeout=30, what="the scheduled sweep to start")
    sweep = wait_for_activity(started().id)
    assert sweep.status == ActivityStatus.SUCCEEDED, sweep.error
    assert sweep.requested_by_id is None
    db.session.rollback()
    assert db.session.scalars(db.select(PhoneNumber.webhook_failures).filter_by(twilio_sid=sid)).one() == 1
