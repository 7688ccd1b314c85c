"""Console actions enqueue jobs, say what they did with a link to the Activity, and explain refusals."""

from __future__ import annotations

import pytest

from harness.web import csrf_token
from tests.admin.helpers import flashed_activity_ids, follow, page_text, post_action
from tests.factories import make_business, make_number
from tests.fixtures.web import AuthActions
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, BusinessStatus, Role


def activities(kind: ActivityKind | None = None) -> list[Activity]:
    query = db.select(Activity)
    if kind is not None:
        query = query.where(Activity.kind == kind)
    return list(db.session.scalars(query))


def test_provision_from_a_row_queues_a_job_and_links_to_its_activity(client, auth, app):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)
    details = f"/admin/business/details/?id={business.id}"
    response = post_action(client, "business", "provision", [business.id], url=details)
    assert response.headers["Location"] == details
    page = follow(client, response)
    (activity,) = activities(ActivityKind.PROVISION)
    assert activity.status == ActivityStatus.QUEUED and activity.requested_by.email == "operator@example.com"
    assert "Provisioning a number for Acme." in page
    assert flashed_activity_ids(page) == [str(activity.id)]
    assert 'class="card mb-3 live-status"' in page and 'data-in-flight="true"' in page


def test_provisioning_twice_returns_the_job_in_flight(client, auth, app):
    business = make_business("Acme")
    auth.login(Role.OPERATOR)
    post_action(client, "business", "provision", [business.id])
    post_action(client, "business", "provision", [business.id])
    assert len(activities(ActivityKind.PROVISION)) == 1


def test_bulk_provision_skips_ineligible_businesses_and_says_why(client, auth, app):
    eligible = [make_business(f"Eligible {n}") for n in range(2)]
    numbered = make_number().business
    trial = make_business("Trial", status=BusinessStatus.TRIAL)
    suspended = make_business("Suspended", status=BusinessStatus.SUSPENDED)
    auth.login(Role.OPERATOR)
    ids = [b.id for b in (*eligible, numbered, trial, suspended)]
    page = follow(client, post_action(client, "business", "provision", ids))
    assert len(activities(ActivityKind.PROVISION)) == 2
    assert "Provisioning numbers for 2 businesses." in page
    assert 'href="/admin/activity/" class="alert-link"' in page
    assert "Skipped 3:" in page
    assert "1 already has a number" in page
    assert "1 is trial, not active" in page and "1 is suspended, not active" in page


def test_resync_from_a_row_links_to_its_activity(client, auth, app):
    number = make_number(e164="+14155550123")
    auth.login(Role.OPERATOR)
    page = follow(client, post_action(client, "phonenumber", "resync", [number.id]))
    (activity,) = activities(ActivityKind.WEBHOOK_RESYNC)
    assert activity.phone_number_id == number.id
    assert "Re-syncing the webhook of (415) 555-0123." in page
    assert flashed_activity_ids(page) == [str(activity.id)]


@pytest.mark.parametrize(
    ("url", "kind", "message"),
    [
        ("/admin/phonenumber/check-all/", ActivityKind.WEBHOOK_CHECK, "Checking every number&#39;s webhook."),
        (
            "/admin/phonenumber/resync-drifted/",
            ActivityKind.RESYNC_DRIFTED,
            "Re-syncing every drifted webhook.",
        ),
    ],
)
def test_page_buttons_start_one_bulk_job_and_show_its_progress(client, auth, app, url, kind, message):
    make_number()
    auth.login(Role.OPERATOR)
    page = follow(client, client.post(url, data={"csrf_token": csrf_token(client)}))
    (activity,) = activities(kind)
    assert message in page
    assert flashed_activity_ids(page) == [str(activity.id)]
    assert f"/admin/activity/status/?id={activity.id}" in page  # the progress panel polls it


def test_retry_queues_a_failed_job_again_and_skips_others(client, auth, app):
    business = make_business("Acme")
    failed = Activity(kind=ActivityKind.PROVISION, status=ActivityStatus.FAILED, business=business, error="x")
    done = Activity(kind=ActivityKind.WEBHOOK_CHECK, status=ActivityStatus.SUCCEEDED)
    db.session.add_all([failed, done])
    db.session.commit()
    auth.login(Role.OPERATOR)
    page = follow(client, post_action(client, "activity", "retry", [failed.id, done.id]))
    queued = db.session.scalars(db.select(Activity).where(Activity.status == ActivityStatus.QUEUED)).all()
    assert len(queued) == 1 and queued[0].business_id == business.id
    assert "Provision queued again." in page
    assert flashed_activity_ids(page) == [str(queued[0].id)]
    assert "Skipped 1: only failed jobs can be retried." in page


def test_a_queue_outage_is_a_message_not_an_error_page(app_on_dead_redis):
    client = app_on_dead_redis.test_client()
    auth = AuthActions(client)
    business = make_business("Acme")
    auth.login(Role.OPERATOR)
    response = post_action(client, "business", "provision", [business.id])
    page = follow(client, response)
    assert "The job queue is not answering, so nothing was started." in page
    assert activities() == []
    page = follow(
        client, client.post("/admin/phonenumber/check-all/", data={"csrf_token": csrf_token(client)})
    )
    assert "The job queue is not answering" in page


def test_dashboard_says_queue_unreachable_when_redis_is_down(app_on_dead_redis):
    client = app_on_dead_redis.test_client()
    AuthActions(client).login(Role.VIEWER)
    response = client.get("/admin/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Queue unreachable" in text
    assert "unknown" in text  # the breakers' state cannot be read either
    assert "Unknown: Redis did not answer." in text  # nor the Twilio requests in flight


def test_an_unexpected_error_is_a_plain_500_page(client, auth, app, monkeypatch):
    from webapp.admin import dashboard

    def broken() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(dashboard, "provisioning_backlog", broken)
    auth.login(Role.VIEWER)
    response = client.get("/admin/")
    assert response.status_code == 500
    assert "secret internals" not in page_text(response) and "Traceback" not in page_text(response)
