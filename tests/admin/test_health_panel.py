"""The Health panel on the number's and the business's pages, its refresh, and `numbers health`."""

from __future__ import annotations

from typing import Any

import pytest

from harness.waits import wait_for_activity, wait_until
from harness.workers import FAST_JOB_SETTINGS, sandbox_settings
from tests.fixtures.sandbox import SandboxProcess
from tests.jobs.helpers import VOICE_URL
from tests.jobs.test_number_health import change_in_console, number_with_a_failed_call
from webapp.extensions import db
from webapp.jobs.enqueue import enqueue_resync
from webapp.jobs.enqueue.health import enqueue_health_check
from webapp.jobs.reads.health_cache import load_health
from webapp.models import Activity, ActivityKind, ActivityStatus, Role


@pytest.fixture
def app_settings(app_settings: dict[str, Any], sandbox: SandboxProcess) -> dict[str, Any]:
    return {**app_settings, **sandbox_settings(sandbox), **FAST_JOB_SETTINGS}


def test_the_panel_shows_the_failed_request_the_call_and_who_changed_it(
    app, client, auth, sandbox, start_worker, runner
):
    number, _ = number_with_a_failed_call()
    change_in_console(sandbox, number.twilio_sid, "https://elsewhere.example.com/voice")
    start_worker()
    assert wait_for_activity(enqueue_health_check(number, None).id).status == ActivityStatus.SUCCEEDED
    auth.login(Role.VIEWER)

    number_page = client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(as_text=True)
    business_page = client.get(f"/admin/business/details/?id={number.business_id}").get_data(as_text=True)

    for page in (number_page, business_page):
        assert "Failed webhook requests (1)" in page
        assert "11200</a> HTTP retrieval failure" in page and "Connection refused" in page
        assert f"Voice URL changed in the Twilio Console by user {'US' + 'd' * 32}" in page
        assert "Read from Twilio" in page and "Refresh from Twilio" in page
    assert '<p class="text-danger mb-1" data-field="drift-fields">Drifted:' in number_page

    # A re-sync puts the webhook back: the panel says so at once, and says the settings it shows are older.
    assert wait_for_activity(enqueue_resync(number, None).id).status == ActivityStatus.SUCCEEDED
    number_page = client.get(f"/admin/phonenumber/details/?id={number.id}").get_data(as_text=True)
    verdict = number_page.split('data-field="drift">')[1].split("</p>")[0]
    assert "In sync" in verdict and "checked" in verdict and "Drifted" not in verdict
    assert "Drifted:" not in number_page
    assert "were read just now, before the webhook's last check or re-sync" in number_page
    printed = runner.invoke(args=["numbers", "health", number.e164])
    assert printed.exit_code == 0, printed.output
    assert "11200 HTTP retrieval failure" in printed.output and ": failed, " in printed.output
    assert "Cause: Voice URL changed in the Twilio Console" in printed.output
    assert (
        f"  Voice URL: https://elsewhere.example.com/voice, expected {VOICE_URL}  DIFFERS\n" in printed.output
    )
    assert "  Voice method: POST, expected POST\n" in printed.output
    assert "  SIP trunk: empty, expected empty\n" in printed.output


def test_a_viewer_refreshes_and_an_outage_leaves_the_last_read_with_a_note(
    app, client, auth, sandbox, start_worker
):
    number, _ = number_with_a_failed_call()
    start_worker()
    auth.login(Role.VIEWER)
    page = f"/admin/phonenumber/details/?id={number.id}"
    assert "Not read from Twilio yet" in client.get(page).get_data(as_text=True)
    token = client.get(page).get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]

    answer = client.post("/admin/phonenumber/health/refresh/", data={"id": number.id, "csrf_token": token})

    assert answer.status_code == 302
    db.session.rollback()
    [refresh] = db.session.scalars(db.select(Activity).filter_by(kind=ActivityKind.HEALTH_CHECK)).all()
    assert wait_for_activity(refresh.id).status == ActivityStatus.SUCCEEDED
    sandbox.set_faults("500=1.0")
    client.post("/admin/phonenumber/health/refresh/", data={"id": number.id, "csrf_token": token})
    wait_until(lambda: "unreadable" in (load_health(number.id) or {}), timeout=30, what="the outage noted")

    shown = client.get(page)

    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "Twilio could not be read" in text and "Showing what was read" in text
    assert "Failed webhook requests (1)" in text
    sandbox.set_faults("")
