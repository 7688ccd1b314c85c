"""A purchase that could not be recorded is found by `numbers orphans` and attached by `--adopt`."""

from __future__ import annotations

from harness.waits import wait_for_activity
from tests.factories import make_business, make_number, record_release
from tests.jobs.helpers import buy_at_sandbox, numbers_of
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import Activity, ActivityKind, ActivityStatus, PhoneNumber, WebhookStatus

FIRST_415 = "+14155550100"
"""The first number the sandbox sells in area code 415: the one the provision below buys."""


def test_commit_failure_after_purchase_is_found_and_adopted(app, runner, sandbox, start_worker):
    # A stale row claims the number the job will buy, so recording the purchase fails after it is made.
    blocker = make_number(e164=FIRST_415)
    business = make_business(preferred_area_code="415")
    start_worker()

    failed = wait_for_activity(enqueue_provision(business, None).id)

    assert failed.status == ActivityStatus.FAILED
    assert f"Bought {FIRST_415}" in failed.error and "already recorded" in failed.error
    assert "numbers orphans --adopt" in failed.error
    assert numbers_of(business.id) == [] and sandbox.owned_count() == 1

    listed = runner.invoke(args=["numbers", "orphans"])
    assert listed.exit_code == 0, listed.output
    assert FIRST_415 in listed.output and "--adopt attaches it" in listed.output
    assert numbers_of(business.id) == []

    record_release(db.session.get(PhoneNumber, blocker.id))
    adopted = runner.invoke(args=["numbers", "orphans", "--adopt"])

    assert adopted.exit_code == 0, adopted.output
    assert f"Adopted {FIRST_415}" in adopted.output
    [number] = numbers_of(business.id)
    assert number.e164 == FIRST_415 and number.webhook_status == WebhookStatus.IN_SYNC
    assert number.twilio_sid == sandbox.owned_numbers()[0]["sid"]
    audit = db.session.scalars(db.select(Activity).filter_by(kind=ActivityKind.ADOPT)).one()
    assert (audit.status, audit.phone_number_id) == (ActivityStatus.SUCCEEDED, number.id)
    assert "No orphans" in runner.invoke(args=["numbers", "orphans"]).output


def test_an_orphan_whose_business_has_a_number_is_only_reported(app, runner, sandbox):
    numbered = make_number()
    buy_at_sandbox(numbered.business)

    result = runner.invoke(args=["numbers", "orphans", "--adopt"])

    assert result.exit_code == 0
    assert f"{numbered.business.name} already has {numbered.formatted}" in result.output
    assert len(numbers_of(numbered.business.id)) == 1


def test_numbers_without_our_prefix_are_not_orphans(app, runner, sandbox):
    from webapp.twilio_client import get_client

    client = get_client()
    [offered] = client.search_available_numbers(area_code="212", limit=1)
    client.purchase_number(offered.phone_number, "bought by hand", "https://example.com/voice")

    assert "No orphans" in runner.invoke(args=["numbers", "orphans"]).output
