"""Reporting the Activities a command started, and `--wait`: polling their rows until they end."""

from __future__ import annotations

import time
import uuid

import click

from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus

POLL_SECONDS = 0.25
"""How often `--wait` reads the Activities again."""

PROGRESS_EVERY_SECONDS = 2.0
"""How often `--wait` prints the progress of a long job."""

BOOKKEEPING = (
    "after_id",
    "number_ids",
    "activity_ids",
    "step",
    "requested_area_code",
    "next_page",
    "walk_started",
    "boundary_sids",
    "call_sid",
    "placed_at",
    "looks",
    "action",
    "assigned_at",
    "unregistering_since",
)
"""Result keys the jobs keep for themselves, left out of the summary."""


def summary(activity: Activity) -> str:
    """Return one line: the Activity's id, kind and status, then its result or error."""
    head = f"Activity {activity.id} {activity.kind} {activity.status}"
    if activity.status == ActivityStatus.FAILED:
        return f"{head}: {activity.error}"
    shown = {key: value for key, value in (activity.result or {}).items() if key not in BOOKKEEPING}
    details = ", ".join(f"{key}={value}" for key, value in shown.items())
    return f"{head}: {details}" if details and not activity.is_in_flight else head


def report_queued(activities: list[Activity]) -> None:
    """Print one line per Activity started (or already in flight)."""
    for activity in activities:
        click.echo(summary(activity))


def wait_for(activities: list[Activity], timeout: float) -> bool:
    """Wait until the Activities (and the re-syncs a `resync_drifted` one starts) end; return whether all
    succeeded. Prints each as it ends, and the progress of long ones."""
    pending: set[uuid.UUID] = {activity.id for activity in activities}
    failures = 0
    deadline = time.monotonic() + timeout
    next_progress = time.monotonic() + PROGRESS_EVERY_SECONDS
    while pending:
        db.session.rollback()  # a new transaction sees the workers' latest commits
        current = db.session.scalars(db.select(Activity).where(Activity.id.in_(pending))).all()
        for activity in current:
            if activity.is_in_flight:
                continue
            pending.discard(activity.id)
            click.echo(summary(activity))
            failures += activity.status == ActivityStatus.FAILED
            if activity.kind == ActivityKind.RESYNC_DRIFTED and activity.status == ActivityStatus.SUCCEEDED:
                pending.update(uuid.UUID(text) for text in (activity.result or {}).get("activity_ids", []))
        if pending and time.monotonic() > next_progress:
            next_progress = time.monotonic() + PROGRESS_EVERY_SECONDS
            for activity in current:
                if activity.is_in_flight and activity.progress_total:
                    click.echo(
                        f"Activity {activity.id}: {activity.progress_done or 0}/{activity.progress_total}"
                    )
        if pending and time.monotonic() > deadline:
            click.echo(
                f"Still running after {timeout:g} s (they go on in the background): {len(pending)} jobs."
            )
            return False
        if pending:
            time.sleep(POLL_SECONDS)
    return failures == 0
