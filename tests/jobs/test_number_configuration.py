"""A number's whole configuration against the sandbox: a field changed in the Console is reported by name
and put back by a re-sync (which says what it changed), a SIP trunk is named and cleared, and an orphan
set up for someone else is adopted only with --force."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
import requests

from harness.sandbox import SandboxProcess
from harness.waits import wait_for_activity
from harness.web import filter_arg
from tests.admin.helpers import page_text
from tests.factories import make_business
from tests.jobs.helpers import VOICE_URL, numbers_of, record
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_check, enqueue_resync
from webapp.jobs.running.twilio_state import expected_for, friendly_name_for
from webapp.models import ActivityStatus, Business, PhoneNumber, Role, WebhookStatus
from webapp.twilio_client import NumberConfiguration, TwilioNumber, get_client

# sandbox round trips; a JSON column and strings, the same on either database
pytestmark = pytest.mark.once_in_ci

FALLBACK = "https://fallback.example.com/voice"
"""The voice fallback URL these tests configure."""

TRUNK = "TK" + "ab" * 16
UPDATE = "POST /IncomingPhoneNumbers/{Sid}.json"


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    """The jobs tests' settings with a voice fallback URL, so it is managed too."""
    return {**app_settings, "TWILIO_VOICE_FALLBACK_URL": FALLBACK}


def bought_in_sync(business: Business) -> PhoneNumber:
    """Buy a number at the sandbox with the business's whole configuration and record it, as provisioning
    does."""
    number = get_client().provision_number(
        "415", friendly_name=friendly_name_for(business), configuration=expected_for(business)
    )
    return record(business, number, webhook_status=WebhookStatus.IN_SYNC)


def change_in_console(sandbox: SandboxProcess, sid: str, **changes: str) -> None:
    """Change the number as a Twilio Console user would (the sandbox's control API)."""
    requests.post(
        f"{sandbox.base_url}/_sandbox/numbers/{sid}",
        json={"changes": changes, "actor_sid": "US" + "0" * 32, "actor_name": "Jo"},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    ).raise_for_status()


def refreshed(number: PhoneNumber) -> PhoneNumber:
    db.session.rollback()
    return db.session.get(PhoneNumber, number.id)


def test_a_fallback_url_changed_in_the_console_is_reported_by_field_and_resync_restores_it(
    app, client, auth, sandbox, start_worker
):
    number = bought_in_sync(make_business())
    change_in_console(sandbox, number.twilio_sid, VoiceFallbackUrl="https://old.example.com/fallback")
    start_worker()

    wait_for_activity(enqueue_check(number, None).id)

    drifted = refreshed(number)
    assert drifted.webhook_status == WebhookStatus.DRIFTED
    drift = f"Voice fallback URL is https://old.example.com/fallback, expected {FALLBACK}."
    assert drifted.webhook_error == drift
    auth.login(Role.VIEWER)
    drifted_filter = filter_arg(app, "phonenumber", "Webhook", "equals")
    listed = unescape(page_text(client.get("/admin/phonenumber/", query_string={drifted_filter: "drifted"})))
    assert number.formatted in listed and drift in listed
    resync = wait_for_activity(enqueue_resync(drifted, None).id)
    assert resync.status == ActivityStatus.SUCCEEDED, resync.error
    assert resync.result["changes"] == [
        {
            "field": "voice_fallback_url",
            "label": "voice fallback URL",
            "from": "https://old.example.com/fallback",
            "to": FALLBACK,
        }
    ]
    assert get_client().fetch_number(number.twilio_sid).voice_fallback_url == FALLBACK
    assert refreshed(number).webhook_status == WebhookStatus.IN_SYNC
    shown = unescape(page_text(client.get(f"/admin/activity/details/?id={resync.id}")))
    assert f"Voice fallback URL</strong>: https://old.example.com/fallback → {FALLBACK}" in shown


def test_a_trunk_set_in_the_console_is_named_by_the_walk_and_resync_clears_it_in_one_update(
    app, sandbox, start_worker
):
    number = bought_in_sync(make_business())
    change_in_console(sandbox, number.twilio_sid, TrunkSid=TRUNK)
    start_worker()

    check = wait_for_activity(enqueue_check(None, None).id)  # every number: the list walk

    assert check.result["counts"]["drifted"] == 1
    drifted = refreshed(number)
    assert drifted.webhook_error == f"Calls go to SIP trunk {TRUNK}; the voice URL is ignored."
    updates = sandbox.request_count(UPDATE)
    resync = wait_for_activity(enqueue_resync(drifted, None).id)
    assert resync.status == ActivityStatus.SUCCEEDED, resync.error
    assert [(c["field"], c["from"], c["to"]) for c in resync.result["changes"]] == [
        ("trunk_sid", TRUNK, None)
    ]
    assert sandbox.request_count(UPDATE) == updates + 1
    at_twilio = get_client().fetch_number(number.twilio_sid)
    assert (at_twilio.trunk_sid, at_twilio.voice_url) == (None, VOICE_URL)
    assert refreshed(number).webhook_status == WebhookStatus.IN_SYNC


def test_a_console_trunk_the_row_never_saw_is_still_cleared_by_resync(app, sandbox, start_worker):
    number = bought_in_sync(make_business())
    change_in_console(sandbox, number.twilio_sid, TrunkSid=TRUNK)  # after the last check
    start_worker()

    resync = wait_for_activity(enqueue_resync(number, None).id)

    assert resync.status == ActivityStatus.SUCCEEDED, resync.error
    assert get_client().fetch_number(number.twilio_sid).trunk_sid is None


def foreign_orphan(business: Business) -> TwilioNumber:
    """Buy a number named for `business` whose calls go to someone else's voice URL, and not record it."""
    return get_client().provision_number(
        "212",
        friendly_name=friendly_name_for(business),
        configuration=NumberConfiguration("https://someone-else.example.com/voice"),
    )


def test_an_orphan_with_a_foreign_voice_url_is_adopted_only_with_force(app, runner, sandbox):
    business = make_business()
    orphan = foreign_orphan(business)

    refused = runner.invoke(args=["numbers", "orphans", "--adopt"])

    assert refused.exit_code == 0, refused.output
    assert "Not adopted without --force" in refused.output
    assert f"voice URL is https://someone-else.example.com/voice, expected {VOICE_URL}" in refused.output
    assert f"voice fallback URL is empty, expected {FALLBACK}" in refused.output
    assert numbers_of(business.id) == []
    assert get_client().fetch_number(orphan.sid).voice_url == "https://someone-else.example.com/voice"

    taken = runner.invoke(args=["numbers", "orphans", "--adopt", "--force"])

    assert taken.exit_code == 0, taken.output
    assert f"Adopted {orphan.phone_number}" in taken.output
    [row] = numbers_of(business.id)
    assert row.webhook_status == WebhookStatus.IN_SYNC
    at_twilio = get_client().fetch_number(orphan.sid)
    assert (at_twilio.voice_url, at_twilio.voice_fallback_url) == (VOICE_URL, FALLBACK)
