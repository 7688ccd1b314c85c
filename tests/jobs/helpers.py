"""Test data and look-ups shared by the jobs tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from harness.waits import in_new_transaction, wait_for_activity, wait_until
from tests.factories import make_business
from webapp.extensions import db
from webapp.jobs.enqueue.batches import BulkStarted
from webapp.jobs.running.twilio_state import friendly_name_for
from webapp.models import Activity, ActivityKind, ActivityStatus, Business, PhoneNumber
from webapp.twilio_client import TwilioNumber, get_client
from webapp.twilio_client.configuration import NumberConfiguration

VOICE_URL = "http://localhost:3000/voice"
"""The voice URL the tests' settings expect (the default TWILIO_VOICE_URL)."""

ELSEWHERE = "https://elsewhere.example.com/voice"
"""A voice URL someone set by hand in Twilio's console: drift."""


def count(model: type) -> int:
    """Return how many rows `model` has, read in a new transaction."""
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def numbers_of(business_id) -> list[PhoneNumber]:
    """Return the numbers recorded for a business (zero or one)."""
    db.session.rollback()
    return list(db.session.scalars(db.select(PhoneNumber).filter_by(business_id=business_id)))


def activities() -> list[Activity]:
    """Return every Activity, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(db.select(Activity).order_by(Activity.created_at)))


def buy_at_sandbox(business: Business, area_code: str = "415", voice_url: str = VOICE_URL) -> TwilioNumber:
    """Buy a number for `business` at the sandbox, as the provision job names it, without recording it."""
    return get_client().provision_number(
        area_code, friendly_name=friendly_name_for(business), configuration=NumberConfiguration(voice_url)
    )


def record(business: Business, number: TwilioNumber, **fields) -> PhoneNumber:
    """Record `number` as the business's, as a provision would have."""
    row = PhoneNumber(
        business=business,
        e164=number.phone_number,
        twilio_sid=number.sid,
        capabilities=dict(number.capabilities),
        voice_url=number.voice_url,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def check_one_number_each_or_failed_with_a_reason(businesses: list[Business], sandbox: Any) -> dict[str, int]:
    """Assert how a run of provisions ended, and return `succeeded`, `adopted` (a provision that gave up while
    its purchase went through, the number then adopted) and `retried` (needed an RQ retry) counts.

    Each business has exactly one number and a succeeded provision or adoption naming it, or no number and a
    failed provision with a reason; the sandbox (`SandboxProcess`) owns exactly the numbers the database
    records, one per business (nothing bought twice).
    """
    db.session.rollback()
    numbers = {row.business_id: row for row in db.session.scalars(db.select(PhoneNumber))}
    provisions = activities_by_business(ActivityKind.PROVISION)
    adoptions = activities_by_business(ActivityKind.ADOPT)
    for business in businesses:
        activity = provisions[business.id]
        if activity.status == ActivityStatus.SUCCEEDED:
            assert numbers[business.id].twilio_sid == activity.result["twilio_sid"]
            continue
        assert activity.status == ActivityStatus.FAILED and activity.error, activity
        adoption = adoptions.get(business.id)
        if adoption is None:
            assert business.id not in numbers, activity
        else:
            assert adoption.status == ActivityStatus.SUCCEEDED, adoption
            assert numbers[business.id].e164 == adoption.result["e164"]
    owned = sandbox.owned_numbers()
    assert len(owned) == len(numbers), "Twilio owns numbers the database does not record, or the reverse"
    assert {n["sid"] for n in owned} == {row.twilio_sid for row in numbers.values()}
    assert sorted(n["friendly_name"] for n in owned) == sorted(f"switchboard:{bid}" for bid in numbers)
    return {
        "succeeded": sum(a.status == ActivityStatus.SUCCEEDED for a in provisions.values()),
        "adopted": len(adoptions),
        "retried": sum(a.attempts > 1 for a in provisions.values()),
    }


def activities_by_business(kind: ActivityKind) -> dict[Any, Activity]:
    """The Activities of `kind` by business id (at most one each in these tests)."""
    found = list(db.session.scalars(db.select(Activity).filter_by(kind=kind)))
    by_business = {activity.business_id: activity for activity in found}
    assert len(by_business) == len(found), f"a business has two {kind} activities"
    return by_business


def watch_progress(activity_id, timeout: float) -> tuple[Activity, set[tuple[int | None, int | None]]]:
    """Poll the Activity until its job ends; return it and every (done, total) seen.

    Raises:
        AssertionError: the job is still in flight after `timeout` seconds.
    """
    seen = set()

    def ended() -> bool:
        current = db.session.get(Activity, activity_id)
        seen.add((current.progress_done, current.progress_total))
        return not current.is_in_flight

    wait_until(in_new_transaction(ended), timeout, "the job to end", poll=0.02)
    return db.session.get(Activity, activity_id), seen


def owned_numbers(count: int) -> list[PhoneNumber]:
    """Return `count` numbers bought at the sandbox and recorded, each for a new business."""
    client = get_client()
    rows = []
    for area_code in ("206", "212", "213", "303", "305", "312", "404", "415"):
        for offered in client.search_available_numbers(area_code=area_code, limit=30):
            if len(rows) == count:
                return rows
            business = make_business()
            bought = client.purchase_number(
                offered.phone_number, friendly_name_for(business), NumberConfiguration(VOICE_URL)
            )
            rows.append(record(business, bought))
    return rows


def timed_batch(
    sandbox: Any, latency_ms: int, start: Callable[[], BulkStarted]
) -> tuple[list[Activity], float]:
    """Set the sandbox's latency and clear its stats, start a bulk job with `start`, and wait for each
    Activity it started; return them and the seconds from the start to the last one ended."""
    sandbox.set_faults(latency_ms=latency_ms)
    sandbox.reset_stats()
    started = time.monotonic()
    batch = start()
    activities = [wait_for_activity(activity_id, timeout=60) for activity_id in batch.started]
    return activities, time.monotonic() - started
