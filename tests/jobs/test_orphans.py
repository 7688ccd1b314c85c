"""A purchase that could not be recorded is found by `numbers orphans` and attached by `--adopt`."""

from __future__ import annotations

import re
from html import unescape

from harness.waits import wait_for_activity
from tests.admin.helpers import follow, page_text
from tests.factories import make_business, make_number, record_release
from tests.fixtures.web import csrf_token
from tests.jobs.helpers import buy_at_sandbox, numbers_of
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_check, enqueue_provision
from webapp.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    NumberEvent,
    NumberHistory,
    PhoneNumber,
    Role,
    WebhookStatus,
)
from webapp.models.phone_format import format_national
from webapp.twilio_client.configuration import NumberConfiguration

FIRST_415 = "+14155550100"
"""The first number the sandbox sells in area code 415: the one the provision below buys."""


def latest(kind: ActivityKind) -> Activity:
    db.session.rollback()
    return db.session.scalars(
        db.select(Activity).filter_by(kind=kind).order_by(Activity.created_at.desc())
    ).first()


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
    client.purchase_number(
        offered.phone_number, "bought by hand", NumberConfiguration("https://example.com/voice")
    )

    assert "No orphans" in runner.invoke(args=["numbers", "orphans"]).output


def test_a_check_names_its_orphans_and_the_console_adopts_or_releases_them(
    app, client, auth, sandbox, start_worker
):
    waiting = make_business("Awaiting Bakery")
    adoptable = buy_at_sandbox(waiting)
    numbered = make_number(make_business("Numbered Deli"))
    spare = buy_at_sandbox(numbered.business, area_code="212")
    start_worker()
    auth.login(Role.ADMIN)

    check = wait_for_activity(enqueue_check(None, None).id)

    assert check.status == ActivityStatus.SUCCEEDED, check.error
    assert check.result["orphans"] == 2
    bought = {format_national(adoptable.phone_number), format_national(spare.phone_number)}
    for page in (f"/admin/activity/details/?id={check.id}", "/admin/"):
        text = unescape(page_text(client.get(page)))
        named = re.search(r"2 numbers are bought at Twilio but not recorded here: ([^.]*)\.", text)
        assert named is not None and set(named.group(1).split(", ")) == bought, page
        assert 'href="/admin/phonenumber/orphans/"' in text
    orphans = page_text(client.get("/admin/phonenumber/orphans/"))
    assert f"Adopt {format_national(adoptable.phone_number)}" in orphans
    assert f"Adopt {format_national(spare.phone_number)}" not in orphans

    client.post(
        "/admin/phonenumber/orphans/adopt/", data={"sid": adoptable.sid, "csrf_token": csrf_token(client)}
    )
    client.post(
        "/admin/phonenumber/orphans/release/", data={"sid": spare.sid, "csrf_token": csrf_token(client)}
    )
    adopt, release = (latest(kind) for kind in (ActivityKind.ADOPT, ActivityKind.RELEASE))

    assert wait_for_activity(adopt.id).status == ActivityStatus.SUCCEEDED
    assert wait_for_activity(release.id).status == ActivityStatus.SUCCEEDED
    assert [n.twilio_sid for n in numbers_of(waiting.id)] == [adoptable.sid]
    assert [n["sid"] for n in sandbox.owned_numbers()] == [adoptable.sid]
    [history] = db.session.scalars(db.select(NumberHistory)).all()
    assert (history.twilio_sid, history.business_id, history.event) == (
        spare.sid,
        numbered.business_id,
        NumberEvent.RELEASED,
    )
    assert 'id="orphans"' not in page_text(client.get("/admin/"))


def test_only_orphans_the_last_check_named_can_be_settled(app, client, auth, sandbox):
    numbered = make_number()
    auth.login(Role.ADMIN)

    response = client.post(
        "/admin/phonenumber/orphans/release/",
        data={"sid": numbered.twilio_sid, "csrf_token": csrf_token(client)},
    )

    assert "not among the unrecorded numbers the last check found" in follow(client, response)
    assert db.session.scalars(db.select(Activity)).all() == []
