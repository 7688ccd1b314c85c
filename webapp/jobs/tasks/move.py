"""The move job: a number passes from its business to another that has none.

Twilio first: its FriendlyName becomes `switchboard:<new business id>` (provision's reconciliation and
`numbers orphans` read the owner from it), then the row changes owner and a history row records the move,
in one commit. A rerun renames again (harmless) before committing. If the database refuses (the other
business got a number meanwhile), the name is set back, so Twilio and the database keep agreeing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rq import Retry
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.jobs.enqueue.number_changes import move_refusal
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import run_activity
from webapp.jobs.running.tracking import report_progress
from webapp.jobs.running.twilio_state import friendly_name_for
from webapp.jobs.tasks.emergency import unregister_first
from webapp.models import Activity, Business, NumberEvent, NumberHistory
from webapp.models.persistence import validation_error_for
from webapp.twilio_client import get_client

logger = logging.getLogger(__name__)


def move_number(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: move the Activity's number to the business its result names (see the module docstring)."""
    return run_activity(activity_id, move)


def move(activity: Activity) -> dict[str, Any]:
    """Rename the number at Twilio for its new business, then record the move; return the result."""
    number = activity.phone_number
    target = db.session.get(Business, uuid.UUID((activity.result or {}).get("moved_to_id", "")))
    if number is None or target is None:
        raise JobFailed("The number or the business it was to move to was deleted; nothing was moved.")
    source = number.business
    if number.business_id != target.id and (refusal := move_refusal(number, target)):
        raise JobFailed(refusal)
    unregister_first(activity, number, "moved")  # the address is the old business's
    client = get_client()
    report_progress(activity, 0, 2, step=f"Naming {number.e164} for {target.name} at Twilio")
    client.update_friendly_name(number.twilio_sid, friendly_name_for(target))
    report_progress(activity, 1, step=f"Recording {number.e164} as {target.name}'s")
    db.session.add(NumberHistory.of(number, NumberEvent.MOVED, activity, moved_to_id=target.id))
    number.business_id = target.id
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        client.update_friendly_name(number.twilio_sid, friendly_name_for(source))
        raise JobFailed(f"Not moved: {validation_error_for(error).message}") from error
    logger.info("Activity %s: %s moved from %s to %s", activity.id, number.e164, source.id, target.id)
    return {"step": "Done"}
