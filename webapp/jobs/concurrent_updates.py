"""A batch's Twilio webhook updates sent side by side, so one job fills the account's concurrency limit.

A batch of re-syncs (`resync_webhook_batch`) records its Activities one after another, as every batch does;
only its Twilio requests run concurrently. On first use, the updates of every Activity of the batch still in
flight are sent from a thread pool as large as the account's current limit allows (each thread with its own
client, see `get_client`; every request still holds a slot of the shared limit). Each Activity then records
its own answer when the batch reaches it, so its status and the console's progress stay live.
"""

from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Activity
from webapp.twilio_client import TwilioNumber, concurrency_state, get_client


def send_update(app: Flask, number_sid: str, voice_url: str) -> TwilioNumber:
    """Update one number's webhook at Twilio from a pool thread (in an app context of its own)."""
    with app.app_context():
        return get_client().update_number_webhook(number_sid, voice_url)


class ConcurrentWebhookUpdates:
    """The webhook updates of a batch of Activities, all sent at once when the first one is asked for."""

    def __init__(self, activity_ids: list[str]) -> None:
        self.activity_ids = activity_ids
        self._sent: dict[str, Future[TwilioNumber]] | None = None

    def update_number_webhook(self, number_sid: str, voice_url: str) -> TwilioNumber:
        """Return Twilio's answer to the update of this number (raising its error), sent with the batch's."""
        if self._sent is None:
            self._sent = self._send_all(voice_url)
        sent = self._sent.pop(number_sid, None)
        if sent is None:  # not in flight when the batch was sent
            return get_client().update_number_webhook(number_sid, voice_url)
        return sent.result()

    def _send_all(self, voice_url: str) -> dict[str, Future[TwilioNumber]]:
        ids = [uuid.UUID(activity_id) for activity_id in self.activity_ids]
        activities = db.session.scalars(
            db.select(Activity).where(Activity.id.in_(ids)).options(selectinload(Activity.phone_number))
        ).all()
        sids = {
            a.phone_number.twilio_sid for a in activities if a.is_in_flight and a.phone_number is not None
        }
        if not sids:
            return {}
        limit = concurrency_state()
        threads = max(1, min(len(sids), int(limit.limit) if limit else 1))
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        pool = ThreadPoolExecutor(threads, thread_name_prefix="twilio-update")
        sent = {sid: pool.submit(send_update, app, sid, voice_url) for sid in sids}
        pool.shutdown(wait=False)  # the threads end once the updates are answered
        return sent
