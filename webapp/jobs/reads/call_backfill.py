"""Catching up on the calls the status callbacks missed (a deploy, a dropped callback): one walk of the
account's Calls list since a time, 1,000 a page with Twilio's paging, through the client (breakers, retries,
the account's concurrency limit), never one request per number; the next page is read while one is
recorded. Each ended inbound call goes through the receiver's own dedupe (`record_calls`), so a call
already reported, or read by an earlier backfill, is never counted twice. Run by `numbers backfill-calls`
and the daily recurring `backfill_calls` job (worker and CLI processes)."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from webapp.models.base import utcnow
from webapp.models.call_event import FROM_MAX, CallReport, record_calls
from webapp.number_formats import E164_PATTERN
from webapp.twilio_client import Call, CallPage, get_client

logger = logging.getLogger(__name__)

RECURRING_DAYS = 2
"""The daily run reads the last two days: a day's overlap, so no call falls between two runs."""

INTERVAL_SECONDS = 24 * 3600
"""How often the recurring backfill runs."""


class BackfillRefused(ValueError):
    """The backfill was asked for a period it cannot count exactly; the message says why."""


@dataclass(frozen=True)
class Backfill:
    """What a backfill did: pages read, calls listed, and the calls (statuses) new to us."""

    pages: int
    calls: int
    recorded: int


def report_of(call: Call, since: datetime) -> CallReport | None:
    """The call as its status callback would have reported it, or None for a call no number's status
    callback hears of (outbound, not ended, or to something other than a phone number)."""
    if call.direction != "inbound" or not call.ended or not E164_PATTERN.fullmatch(call.to):
        return None
    return CallReport(
        call_sid=call.sid,
        call_status=call.status,
        to_number=call.to,
        from_number=call.from_[:FROM_MAX],
        direction=call.direction,
        duration_seconds=call.duration,
        occurred_at=call.end_time or call.start_time or since,
    )


def backfill_calls(days: int) -> Backfill:
    """Read the account's calls of the last `days` days and record those the callbacks missed.

    Raises:
        BackfillRefused: `days` is not positive, or reaches past `CALL_EVENTS_KEEP_DAYS`, whose pruned
            callbacks could no longer tell a call already counted.
        ApiError: Twilio could not be read (what was recorded before stays).
    """
    keep = current_app.config["CALL_EVENTS_KEEP_DAYS"]
    if not 0 < days <= keep:
        raise BackfillRefused(
            f"Days must be from 1 to {keep} (CALL_EVENTS_KEEP_DAYS): older callbacks are pruned, so a call "
            "reported then could be counted twice."
        )
    since = utcnow() - timedelta(days=days)
    client = get_client()
    pages = calls = recorded = 0
    # One thread reads the pages in turn: the next page is requested while this one is recorded
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backfill-read") as reader:
        upcoming: Future[CallPage] | None = reader.submit(client.list_calls_page, since)
        while upcoming is not None:
            page = upcoming.result()
            upcoming = None
            if page.next_page_url is not None:
                upcoming = reader.submit(client.list_calls_page, since, page.next_page_url)
            pages, calls = pages + 1, calls + len(page.calls)
            reports = [r for r in (report_of(call, since) for call in page.calls) if r is not None]
            recorded += record_calls(reports).new
    logger.info("Backfill of %d days: %d calls in %d pages, %d new to us", days, calls, pages, recorded)
    return Backfill(pages, calls, recorded)


def recurring_backfill() -> dict[str, int]:
    """The daily recurring entry: backfill the last `RECURRING_DAYS` days."""
    done = backfill_calls(RECURRING_DAYS)
    return {"pages": done.pages, "calls": done.calls, "recorded": done.recorded}
