"""Checking many webhooks by walking Twilio's list of the account's numbers, a page of 1,000 at a time.

One list request reports a thousand numbers; fetching them one by one costs a thousand. Each page's rows are
updated in one statement, matched by SID; the rows the walk never saw are then marked gone in one more.
Progress (the next page's URL, the counts) is committed with each page, so a retried job resumes there.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Uuid, bindparam, text, update

from webapp.extensions import db
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.running.twilio_state import (
    FRIENDLY_NAME_PREFIX,
    GONE_MESSAGE,
    drift_sentence,
    expected_configuration,
)
from webapp.models import Activity, Business, PhoneNumber, WebhookStatus
from webapp.models.base import UTCDateTime, utcnow
from webapp.twilio_client import NumberConfiguration, TwilioClient, TwilioNumber, managed_values

logger = logging.getLogger(__name__)

LIST_CHECK_THRESHOLD = 300
"""A check of more numbers than this walks the account's list instead of fetching each number.

The walk costs one request per 1,000 numbers on the whole account, a fetch one per number checked: above
a few hundred numbers the walk sends fewer requests for any account up to some 300,000 numbers, and a
"Check all webhooks" always walks."""

PAGE_COLUMNS = ("sid", "status", "voice_url", "status_callback", "configuration", "error")

ORPHANS_NAMED = 20
"""How many orphans a check names in its result (it counts them all): the console shows these in words,
with Adopt and Release, and `numbers orphans` lists every one."""


def webhook_row(number: TwilioNumber, expected: NumberConfiguration) -> dict[str, Any]:
    """Return what the number's row records from Twilio's answer (as `record_webhook_state` does)."""
    drift = expected.differences(number)
    return {
        "sid": number.sid,
        "status": (WebhookStatus.DRIFTED if drift else WebhookStatus.IN_SYNC).value,
        "voice_url": number.voice_url,
        "status_callback": number.status_callback,
        "configuration": json.dumps(managed_values(number)),
        "error": drift_sentence(drift),
    }


def expected_by_sid(numbers: Sequence[TwilioNumber]) -> dict[str, NumberConfiguration]:
    """Return the expected configuration of each of the numbers a row records, by SID (one SELECT)."""
    owners = db.session.execute(
        db.select(PhoneNumber.twilio_sid, Business.id, Business.voice_url)
        .join(Business, PhoneNumber.business_id == Business.id)
        .where(PhoneNumber.twilio_sid.in_([number.sid for number in numbers]))
    )
    return {sid: expected_configuration(business_id, voice_url) for sid, business_id, voice_url in owners}


def record_page(
    numbers: Sequence[TwilioNumber], scope_ids: list[uuid.UUID] | None, now: datetime
) -> list[tuple[str, str]]:
    """Record the page's configuration states on the rows with those SIDs (only rows of `scope_ids` unless
    None) in one UPDATE statement; return `(sid, status)` of each row updated."""
    expected = expected_by_sid(numbers)
    rows = [webhook_row(number, expected[number.sid]) for number in numbers if number.sid in expected]
    if not rows:
        return []
    # PostgreSQL takes the JSON text into JSONB by a cast; SQLite keeps JSON as that text.
    on_postgresql = db.session.get_bind().dialect.name == "postgresql"
    configuration = "CAST(page.configuration AS JSONB)" if on_postgresql else "page.configuration"
    params: dict[str, Any] = {f"{key}{i}": row[key] for i, row in enumerate(rows) for key in PAGE_COLUMNS}
    values = ", ".join("(" + ", ".join(f":{key}{i}" for key in PAGE_COLUMNS) + ")" for i in range(len(rows)))
    statement = text(
        f"WITH page ({', '.join(PAGE_COLUMNS)}) AS (VALUES {values}) "
        "UPDATE phone_numbers SET webhook_status = page.status, voice_url = page.voice_url, "
        "status_callback_url = page.status_callback, webhook_error = page.error, webhook_checked_at = :now, "
        f"twilio_configuration = {configuration} "
        "FROM page WHERE phone_numbers.twilio_sid = page.sid"
        + (" AND phone_numbers.id IN :scope_ids" if scope_ids is not None else "")
        # SQLite's RETURNING may name only the updated table.
        + " RETURNING phone_numbers.twilio_sid, phone_numbers.webhook_status"
    ).bindparams(bindparam("now", type_=UTCDateTime()))
    if scope_ids is not None:
        statement = statement.bindparams(bindparam("scope_ids", expanding=True, type_=Uuid()))
        params["scope_ids"] = scope_ids
    return [(sid, status) for sid, status in db.session.execute(statement, {**params, "now": now})]


def page_orphans(numbers: Sequence[TwilioNumber], recorded: set[str]) -> list[dict[str, Any]]:
    """Return the page's numbers that carry our FriendlyName and no row records (anywhere), as a check's
    result names them: `e164`, `sid`, `friendly_name`, and the managed fields (`configuration`), so the
    orphans page can say what adopting one would change."""
    ours = [n for n in numbers if n.friendly_name.startswith(FRIENDLY_NAME_PREFIX) and n.sid not in recorded]
    if not ours:
        return []
    sids = [n.sid for n in ours]
    known = set(db.session.scalars(db.select(PhoneNumber.twilio_sid).where(PhoneNumber.twilio_sid.in_(sids))))
    return [
        {
            "e164": n.phone_number,
            "sid": n.sid,
            "friendly_name": n.friendly_name,
            "configuration": managed_values(n),
        }
        for n in ours
        if n.sid not in known
    ]


def mark_unseen_gone(scope: Select[PhoneNumber], walk_started: datetime) -> int:
    """Mark the rows in `scope` the walk did not see (checked before it started) as gone; return how many."""
    in_scope = scope.with_only_columns(PhoneNumber.id)
    unseen = (
        update(PhoneNumber)
        .where(PhoneNumber.id.in_(in_scope))
        .where((PhoneNumber.webhook_checked_at.is_(None)) | (PhoneNumber.webhook_checked_at < walk_started))
        .values(webhook_status=WebhookStatus.ERROR, webhook_error=GONE_MESSAGE, webhook_checked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, which has the row count; Session.execute is typed for SELECTs.
    return cast("CursorResult[Any]", db.session.execute(unseen)).rowcount


def check_by_listing(
    activity: Activity,
    client: TwilioClient,
    scope: Select[PhoneNumber],
    scope_ids: list[uuid.UUID] | None,
) -> dict[str, Any]:
    """Walk the account's numbers page by page, recording the webhook state of the rows in `scope` (the
    rows of `scope_ids`, or all when None); return the Activity's result (`checked`, `counts` by state,
    `orphans`, the first `ORPHANS_NAMED` of them as `orphan_numbers`, `pages`). Resumes after a retry."""
    saved = activity.result or {}
    total = db.session.scalar(db.select(db.func.count()).select_from(scope.subquery()))
    walk_started = datetime.fromisoformat(saved["walk_started"]) if "walk_started" in saved else utcnow()
    counts: dict[str, int] = {status.value: 0 for status in (WebhookStatus.DRIFTED, WebhookStatus.ERROR)}
    counts[WebhookStatus.IN_SYNC.value] = 0
    counts.update(saved.get("counts", {}))
    orphans, pages, done = saved.get("orphans", 0), saved.get("pages", 0), activity.progress_done or 0
    named: list[dict[str, Any]] = saved.get("orphan_numbers", [])
    next_page = saved.get("next_page")
    report_progress(activity, done, total, walk_started=walk_started.isoformat())
    while pages == 0 or next_page:
        page = client.list_numbers_page(next_page)
        updated = record_page(page.numbers, scope_ids, utcnow())
        for _, status in updated:
            counts[status] += 1
        found = page_orphans(page.numbers, {sid for sid, _ in updated})
        orphans, named = orphans + len(found), (named + found)[:ORPHANS_NAMED]
        pages, done, next_page = pages + 1, done + len(updated), page.next_page_url
        report_progress(
            activity,
            done,
            max(total, done),
            counts=counts,
            orphans=orphans,
            orphan_numbers=named,
            pages=pages,
            next_page=next_page,
        )
    gone = mark_unseen_gone(scope, walk_started)
    counts[WebhookStatus.ERROR.value] += gone
    logger.info(
        "Activity %s: listed %d pages, checked %d webhooks: %s; %d gone, %d orphans",
        activity.id,
        pages,
        done + gone,
        counts,
        gone,
        orphans,
    )
    return {
        "checked": done + gone,
        "counts": counts,
        "orphans": orphans,
        "orphan_numbers": named,
        "pages": pages,
        "next_page": None,
    }
