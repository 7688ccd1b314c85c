"""The webhook jobs: re-sync one number or a batch, check one, some or all, and re-sync every drifted one."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

from rq import Retry
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.jobs.enqueue.bulk import enqueue_bulk_resync
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import run_activities, run_activity
from webapp.jobs.running.saving import save
from webapp.jobs.running.side_by_side import SideBySide, TwilioCall, in_flight_numbers
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.running.twilio_state import GONE_MESSAGE, expected_for, record_gone, record_webhook_state
from webapp.jobs.tasks.webhook_listing import LIST_CHECK_THRESHOLD, check_by_listing
from webapp.models import Activity, PhoneNumber, WebhookStatus
from webapp.twilio_client import (
    NotFound,
    TwilioClient,
    TwilioNumber,
    changes,
    get_client,
    routes_elsewhere,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
"""Numbers read and committed together when a job walks many numbers (keyset pages by id)."""

NEEDS_RESYNC = (WebhookStatus.DRIFTED, WebhookStatus.ERROR)
"""Webhook states that `resync_drifted` repairs."""


def resync_webhook(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: set every managed field of the Activity's number at Twilio to today's settings."""
    return run_activity(activity_id, resync)


def resync_webhook_batch(activity_ids: list[str]) -> dict[str, int] | Retry:
    """RQ job: re-sync the numbers of several Activities (a batch from `enqueue_bulk_resync`), their Twilio
    requests sent side by side (`side_by_side.py`)."""
    with SideBySide(lambda: planned_updates(activity_ids)) as updates:
        return run_activities(activity_ids, lambda activity: resync(activity, updates), deferred_writes=True)


def planned_updates(activity_ids: list[str]) -> dict[str, TwilioCall[TwilioNumber]]:
    """Return the configuration update of each in-flight Activity's number, by its SID."""
    return {number.twilio_sid: webhook_update(number) for number in in_flight_numbers(activity_ids)}


def webhook_update(row: PhoneNumber) -> TwilioCall[TwilioNumber]:
    """Return the Twilio call that sets every managed field of the row's number in one request (clearing
    an application or trunk the number was last seen with)."""
    sid, expected, clear = (
        row.twilio_sid,
        expected_for(row.business),
        routes_elsewhere(row.twilio_configuration or {}),
    )
    return lambda client: client.update_number_webhook(sid, expected, clear_routing=clear)


def check_webhooks(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: compare the webhook at Twilio with the settings, for one number, a list, or all of them."""
    return run_activity(activity_id, check)


def resync_drifted(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: enqueue a re-sync for every drifted or erroring number not already being re-synced."""
    return run_activity(activity_id, enqueue_resyncs_for_drifted)


def target_number(activity: Activity) -> PhoneNumber:
    """Return the Activity's number.

    Raises:
        JobFailed: it was deleted.
    """
    if activity.phone_number is None:
        raise JobFailed("The number was deleted; there is nothing to do.")
    return activity.phone_number


def resync(activity: Activity, updates: SideBySide[TwilioNumber] | None = None) -> dict[str, Any]:
    """Set every managed field of the number at Twilio (its answer taken from the batch's `updates` when
    given) and record it in sync; return the Activity's result, with the fields changed from what to what.

    A number last seen without an application or trunk is updated without clearing them (Twilio's schema
    refuses the empty values); if the answer shows one set meanwhile, one more update clears it."""
    row = target_number(activity)
    expected, before = expected_for(row.business), row.twilio_configuration
    try:
        if updates is not None and updates.planned(row.twilio_sid):
            number = updates.take(row.twilio_sid)
        else:
            number = webhook_update(row)(get_client())
        if routes_elsewhere(number):
            number = get_client().update_number_webhook(row.twilio_sid, expected, clear_routing=True)
    except NotFound as error:
        record_gone(row)
        save()
        raise JobFailed(f"{row.formatted} ({row.twilio_sid}): {GONE_MESSAGE}") from error
    drift = record_webhook_state(row, number, expected, synced=True)
    if drift:
        raise JobFailed(f"Twilio did not keep the configuration of {row.formatted}: {row.webhook_error}")
    logger.info("Activity %s: configuration of %s re-synced", activity.id, row.twilio_sid)
    return {
        "e164": row.e164,
        "twilio_sid": row.twilio_sid,
        "voice_url": row.voice_url,
        "changes": changes(before, number),
    }


def numbers_to_check(activity: Activity) -> Select[PhoneNumber]:
    """Return the select of the Activity's numbers: its one number, its list (`number_ids`), or all."""
    query = db.select(PhoneNumber)
    if activity.phone_number_id is not None:
        return query.where(PhoneNumber.id == activity.phone_number_id)
    listed = (activity.result or {}).get("number_ids")
    if listed is not None:
        return query.where(PhoneNumber.id.in_([uuid.UUID(text) for text in listed]))
    return query


def in_batches(query: Select[PhoneNumber], after: str | None = None) -> Iterator[list[PhoneNumber]]:
    """Yield the rows of `query` in id order, `BATCH_SIZE` at a time, after the id `after` (keyset paging)."""
    cursor = uuid.UUID(after) if after else None
    while True:
        page = query.options(selectinload(PhoneNumber.business)).order_by(PhoneNumber.id).limit(BATCH_SIZE)
        if cursor is not None:
            page = page.where(PhoneNumber.id > cursor)
        batch = list(db.session.scalars(page))
        if not batch:
            return
        cursor = batch[-1].id  # read before the caller's commit expires the rows
        yield batch


def check_one(client: TwilioClient, row: PhoneNumber) -> WebhookStatus:
    """Fetch the number from Twilio and record its configuration's state on `row`; return the state."""
    try:
        number = client.fetch_number(row.twilio_sid)
    except NotFound:
        record_gone(row)
        logger.warning("Number %s (%s) is no longer on the Twilio account", row.e164, row.twilio_sid)
        return WebhookStatus.ERROR
    record_webhook_state(row, number, expected_for(row.business))
    return row.webhook_status


def check(activity: Activity) -> dict[str, Any]:
    """Check the Activity's numbers batch by batch, committing progress after each; resumes after a retry.

    All numbers, or more than `LIST_CHECK_THRESHOLD`, are checked by walking Twilio's list instead."""
    client = get_client()
    query = numbers_to_check(activity)
    listed = (activity.result or {}).get("number_ids")
    if activity.phone_number_id is None and (listed is None or len(listed) > LIST_CHECK_THRESHOLD):
        scope_ids = None if listed is None else [uuid.UUID(text) for text in listed]
        return check_by_listing(activity, client, query, scope_ids)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    saved = activity.result or {}
    counts: dict[str, int] = {status.value: 0 for status in (*NEEDS_RESYNC, WebhookStatus.IN_SYNC)}
    counts.update(saved.get("counts", {}))
    done = activity.progress_done or 0
    report_progress(activity, done, total)
    for batch in in_batches(query, saved.get("after_id")):
        for row in batch:
            counts[check_one(client, row).value] += 1
        done += len(batch)
        report_progress(activity, done, max(total, done), after_id=str(batch[-1].id), counts=counts)
    logger.info("Activity %s: checked %d webhooks: %s", activity.id, done, counts)
    return {"checked": done, "counts": counts}


def enqueue_resyncs_for_drifted(activity: Activity) -> dict[str, Any]:
    """Enqueue a re-sync for each drifted or erroring number, skipping those with one in flight."""
    drifted = db.session.execute(
        db.select(PhoneNumber.id, PhoneNumber.business_id)
        .where(PhoneNumber.webhook_status.in_(NEEDS_RESYNC))
        .order_by(PhoneNumber.id)
    ).all()
    report_progress(activity, 0, len(drifted))
    outcome = enqueue_bulk_resync(
        drifted, activity.requested_by, progress=lambda done: report_progress(activity, done)
    )
    return {
        "enqueued": len(outcome.started),
        "already_in_flight": len(outcome.already_in_flight),
        "activity_ids": [str(activity_id) for activity_id in outcome.started],
    }
