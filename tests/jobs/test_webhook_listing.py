"""Checking all webhooks by walking Twilio's list: exact counts, about one request per 1,000 numbers."""

from __future__ import annotations

import uuid

from sqlalchemy import insert

from harness.waits import wait_for_activity
from tests.jobs.helpers import ELSEWHERE, VOICE_URL, watch_progress
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_check
from webapp.jobs.tasks.webhook_listing import record_page
from webapp.models import Activity, ActivityStatus, Business, BusinessStatus, PhoneNumber, WebhookStatus
from webapp.models.base import utcnow
from webapp.sandbox.store import Store
from webapp.twilio_client import get_client

AT_TWILIO_WITH_ROWS = 4_990
DRIFTED = 100
ORPHANS = 7
FOREIGN = 3
"""Numbers at Twilio named by someone else, without rows: neither checked nor orphans."""
GONE = 11
"""Rows whose numbers are no longer at Twilio."""


def seed_account(sandbox) -> None:
    """Put 5,000 numbers at Twilio and 5,001 rows in the database, as the constants above describe."""
    settings = {"voice_url": VOICE_URL, "voice_method": "POST"}
    at_twilio = [
        (
            f"+1303{i:07d}",
            f"switchboard:{uuid.uuid4()}",
            {**settings, "voice_url": ELSEWHERE} if i < DRIFTED else settings,
        )
        for i in range(AT_TWILIO_WITH_ROWS + ORPHANS)
    ]
    at_twilio += [(f"+1404{i:07d}", f"Front desk {i}", settings) for i in range(FOREIGN)]
    sids = Store(sandbox.db_path).add_numbers(at_twilio)
    recorded = [
        (phone, sid) for (phone, _, _), sid in zip(at_twilio[:AT_TWILIO_WITH_ROWS], sids, strict=False)
    ]
    recorded += [(f"+1505{i:07d}", f"PN{i:032x}") for i in range(GONE)]
    business_ids = [uuid.uuid4() for _ in recorded]
    db.session.execute(
        insert(Business),
        [
            {"id": bid, "name": f"Listed {i}", "status": BusinessStatus.ACTIVE}
            for i, bid in enumerate(business_ids)
        ],
    )
    db.session.execute(
        insert(PhoneNumber),
        [
            {
                "business_id": bid,
                "e164": phone,
                "area_code": phone[2:5],
                "twilio_sid": sid,
                "capabilities": {},
            }
            for bid, (phone, sid) in zip(business_ids, recorded, strict=True)
        ],
    )
    db.session.commit()


def statuses() -> dict[WebhookStatus, int]:
    db.session.rollback()
    rows = db.session.execute(
        db.select(PhoneNumber.webhook_status, db.func.count()).group_by(PhoneNumber.webhook_status)
    )
    return dict(rows.all())


EXPECTED_COUNTS = {"in_sync": AT_TWILIO_WITH_ROWS - DRIFTED, "drifted": DRIFTED, "error": GONE}


def test_check_all_walks_the_list_with_exact_counts_and_one_request_per_page(app, sandbox, start_worker):
    seed_account(sandbox)
    sandbox.reset_stats()
    start_worker()
    activity = enqueue_check(None, None)

    current, seen = watch_progress(activity.id, 120)

    assert current.status == ActivityStatus.SUCCEEDED, current.error
    assert current.result["checked"] == AT_TWILIO_WITH_ROWS + GONE
    assert current.result["counts"] == EXPECTED_COUNTS
    assert (current.result["orphans"], current.result["pages"]) == (ORPHANS, 5)
    assert sandbox.stats()["requests"] == 5, "one list request per page of 1,000, no fetch per number"
    assert sandbox.request_counts() == {"GET /IncomingPhoneNumbers.json": 5}
    assert len([done for done, _ in seen if done and 0 < done < current.result["checked"]]) >= 2, seen
    assert statuses() == {
        WebhookStatus.IN_SYNC: AT_TWILIO_WITH_ROWS - DRIFTED,
        WebhookStatus.DRIFTED: DRIFTED,
        WebhookStatus.ERROR: GONE,
    }
    gone = db.session.scalars(db.select(PhoneNumber).where(PhoneNumber.e164.like("+1505%"))).all()
    assert len(gone) == GONE
    assert {row.webhook_error for row in gone} == {"The number is no longer on the Twilio account."}
    drifted = db.session.scalars(db.select(PhoneNumber).where(PhoneNumber.e164 == "+13030000000")).one()
    assert drifted.webhook_error == f"Voice URL is {ELSEWHERE}, expected {VOICE_URL}."
    assert drifted.voice_url == ELSEWHERE


def test_a_retried_walk_resumes_at_the_next_page(app, sandbox, start_worker):
    seed_account(sandbox)
    activity = enqueue_check(None, None)
    # What an attempt that failed after its first two pages leaves behind (committed with each page).
    walk_started = utcnow()
    client = get_client()
    first = client.list_numbers_page()
    second = client.list_numbers_page(first.next_page_url)
    updated = record_page(first.numbers, None, utcnow()) + record_page(second.numbers, None, utcnow())
    counts = {"in_sync": sum(status == "in_sync" for _, status in updated), "error": 0}
    counts["drifted"] = len(updated) - counts["in_sync"]
    db.session.get(Activity, activity.id).result = {
        "walk_started": walk_started.isoformat(),
        "next_page": second.next_page_url,
        "counts": counts,
        "orphans": 0,
        "pages": 2,
    }
    db.session.get(Activity, activity.id).progress_done = len(updated)
    db.session.commit()
    sandbox.reset_stats()
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert sandbox.stats()["requests"] == 3, "only the three pages not yet walked"
    assert done.result["counts"] == EXPECTED_COUNTS
    assert (done.result["checked"], done.result["orphans"], done.result["pages"]) == (
        AT_TWILIO_WITH_ROWS + GONE,
        ORPHANS,
        5,
    )
    assert statuses()[WebhookStatus.ERROR] == GONE
