"""With PUBLIC_BASE_URL set, every number's status callback is the console's receiver: provisioning sets
it, the webhook check reports a number without it as drifted, and a re-sync puts it back."""

from __future__ import annotations

import pytest
import requests

from harness.sandbox import SandboxProcess
from harness.waits import wait_for_activity
from tests.callbacks.helpers import CALL_STATUS_URL, PUBLIC_BASE_URL
from tests.factories import make_business
from tests.jobs.helpers import buy_at_sandbox, numbers_of, record
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_check, enqueue_provision, enqueue_resync
from webapp.models import ActivityStatus, PhoneNumber, WebhookStatus
from webapp.twilio_client import get_client


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}


def remove_status_callback_in_console(sandbox: SandboxProcess, sid: str) -> None:
    requests.post(
        f"{sandbox.base_url}/_sandbox/numbers/{sid}",
        json={"changes": {"StatusCallback": ""}},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    ).raise_for_status()


def test_provision_points_the_number_status_callback_at_the_receiver(app, sandbox, start_worker):
    business = make_business()
    start_worker()

    done = wait_for_activity(enqueue_provision(business, None).id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    [number] = numbers_of(business.id)
    at_twilio = get_client().fetch_number(number.twilio_sid)
    assert (at_twilio.status_callback, at_twilio.status_callback_method) == (CALL_STATUS_URL, "POST")
    assert (number.status_callback_url, number.webhook_status) == (CALL_STATUS_URL, WebhookStatus.IN_SYNC)


def test_a_number_without_the_receiver_is_drifted_and_resync_fixes_it(app, sandbox, start_worker):
    business = make_business()
    number = record(business, buy_at_sandbox(business), webhook_status=WebhookStatus.IN_SYNC)
    remove_status_callback_in_console(sandbox, number.twilio_sid)
    start_worker()

    wait_for_activity(enqueue_check(number, None).id)
    db.session.rollback()
    drifted = db.session.get(PhoneNumber, number.id)
    assert drifted.webhook_status == WebhookStatus.DRIFTED
    assert drifted.webhook_error == f"Status callback is empty, expected {CALL_STATUS_URL}."

    resync = wait_for_activity(enqueue_resync(drifted, None).id)

    assert resync.status == ActivityStatus.SUCCEEDED, resync.error
    assert get_client().fetch_number(number.twilio_sid).status_callback == CALL_STATUS_URL
    db.session.rollback()
    assert db.session.get(PhoneNumber, number.id).webhook_status == WebhookStatus.IN_SYNC
