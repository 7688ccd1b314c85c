"""Releasing many numbers at once ("Release selected", the cancelled-business sweep), in batches
(`batches.py`): one Activity per number, as `enqueue_release` records it, one in flight per number."""

from __future__ import annotations

from collections.abc import Sequence

from webapp.extensions import db
from webapp.jobs.batches import BatchKind, BulkStarted, Target, start_in_batches
from webapp.jobs.number_changes import check_reason, enqueue_release, refuse_if_busy
from webapp.jobs.starting import requester_id
from webapp.models import Activity, ActivityKind, PhoneNumber, User


def releases(reason: str | None) -> BatchKind:
    """How release Activities with this reason start in batches."""
    said = {"reason": reason} if reason else {}

    def new_activity(target: Target, requested_by: User | None) -> Activity:
        number = db.session.get(PhoneNumber, target[0])
        return Activity(
            kind=ActivityKind.RELEASE,
            business_id=target[1],
            phone_number_id=target[0],
            requested_by_id=requester_id(requested_by),
            result={"e164": number.e164, "twilio_sid": number.twilio_sid, **said},
        )

    def start_alone(number_id: object, requested_by: User | None) -> Activity | None:
        number = db.session.get(PhoneNumber, number_id)
        return enqueue_release(number, requested_by, reason) if number is not None else None

    return BatchKind(ActivityKind.RELEASE, Activity.phone_number_id, new_activity, start_alone)


def enqueue_bulk_release(
    numbers: Sequence[PhoneNumber], requested_by: User | None, reason: str | None = None
) -> BulkStarted:
    """Start releasing each number at Twilio, as `enqueue_release` does for one; a number with a release in
    flight is reported, not started again.

    Raises:
        ValidationError: the reason is too long, or another change of a number's business is in flight
            (nothing is started then).
        QueueUnavailable: Redis did not answer (batches enqueued before that stay queued).
    """
    reason = check_reason(reason)
    outcome = BulkStarted()
    targets: list[Target] = []
    for number in numbers:
        if (running := refuse_if_busy(number, ActivityKind.RELEASE)) is not None:
            outcome.already_in_flight.append(running.id)
        else:
            targets.append((number.id, number.business_id))
    started = start_in_batches(releases(reason), targets, requested_by)
    outcome.started = started.started
    outcome.already_in_flight += started.already_in_flight
    return outcome


def activities_of(outcome: BulkStarted) -> list[Activity]:
    """Return the Activities a bulk start recorded or found in flight, in that order."""
    ids = [*outcome.started, *outcome.already_in_flight]
    found = {a.id: a for a in db.session.scalars(db.select(Activity).where(Activity.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
