"""A status callback's form fields, checked and turned into a `CallReport` (web process)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from webapp.models.base import utcnow
from webapp.models.call_event import CALL_STATUS_RANK, FROM_MAX, CallReport
from webapp.number_formats import E164_PATTERN, sid_regex

CALL_SID_PATTERN = re.compile(sid_regex("CA"))
DIRECTION_MAX = 20
LONGEST_CALL_SECONDS = 7 * 24 * 3600
"""Far above Twilio's 24-hour limit on a call: a longer duration is malformed."""


class MalformedCallback(ValueError):
    """A field of the callback is missing or malformed; the message names it."""


def call_report(form: Mapping[str, str]) -> CallReport:
    """Return the callback in `form` as a `CallReport`.

    Raises:
        MalformedCallback: a field is missing or malformed.
    """
    call_sid = form.get("CallSid", "")
    if not CALL_SID_PATTERN.fullmatch(call_sid):
        raise MalformedCallback("CallSid must be 'CA' followed by 32 hexadecimal characters.")
    status = form.get("CallStatus", "")
    if status not in CALL_STATUS_RANK:
        raise MalformedCallback(f"CallStatus must be one of {', '.join(CALL_STATUS_RANK)}.")
    to_number = form.get("To", "")
    if not E164_PATTERN.fullmatch(to_number):
        raise MalformedCallback("To must be a number in E.164, like +14155550100.")
    from_number = form.get("From", "")
    if len(from_number) > FROM_MAX:
        raise MalformedCallback(f"From must be at most {FROM_MAX} characters.")
    direction = form.get("Direction") or None
    if direction is not None and len(direction) > DIRECTION_MAX:
        raise MalformedCallback(f"Direction must be at most {DIRECTION_MAX} characters.")
    return CallReport(
        call_sid=call_sid,
        call_status=status,
        to_number=to_number,
        from_number=from_number,
        direction=direction,
        duration_seconds=_duration(form.get("CallDuration")),
        occurred_at=_timestamp(form.get("Timestamp")),
    )


def _duration(raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > LONGEST_CALL_SECONDS:
        raise MalformedCallback("CallDuration must be whole seconds.")
    return int(raw)


def _timestamp(raw: str | None) -> datetime:
    if not raw:
        return utcnow()
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        raise MalformedCallback("Timestamp must be a date like 'Mon, 16 Aug 2010 03:45:01 +0000'.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
