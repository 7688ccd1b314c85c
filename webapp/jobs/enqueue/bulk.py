"""Starting many provisions, re-syncs or releases at once, in batches (`batches.py`): one Activity per
business or number, as the single-target start records it, one in flight per business or number."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Row

from webapp.extensions import db
from webapp.jobs.enqueue.batches import RESYNC_BATCH_SIZE, BatchKind, BulkStarted, Target, start_in_batches
from webapp.jobs.enqueue.kinds import enqueue_provision, enqueue_resync, resync_activity
from webapp.jobs.enqueue.number_changes import check_reason, enqueue_release, refuse_if_busy
from webapp.jobs.enqueue.starting import requester_id
from webapp.models import Activity, ActivityKind, Business, PhoneNumber, User, ValidationError

PROVISIONS = BatchKind(
    kind=ActivityKind.PROVISION,
    one_per=Activity.business_id,
    new_activity=lambda target, requested_by: Activity(
        kind=ActivityKind.PROVISION, business_id=target[1], requested_by_id=requester_id(requested_by)
    ),
    start_alone=lambda business_id, requested_by: (
        enqueue_provision(business, requested_by)
        if (business := db.session.get(Business, business_id)) is not None
        else None
    ),
)


def enqueue_bulk_provision(businesses: Sequence[Business], requested_by: User | None) -> BulkStarted:
    """Start buying a number for each business, in its preferred area code (else anywhere), as
    `enqueue_provision` does for one; a business with a provision in flight is reported, not started
    again. The caller checks first that each may get a number (`provision_refusal`).

    Raises:
        QueueUnavailable: Redis did not answer (batches enqueued before that stay queued).
    """
    targets = [(business.id, business.id) for business in businesses]
    return start_in_batches(PROVISIONS, targets, requested_by)


RESYNCS = BatchKind(
    kind=ActivityKind.WEBHOOK_RESYNC,
    one_per=Activity.phone_number_id,
    new_activity=lambda target, requested_by: resync_activity(target[0], target[1], requested_by),
    start_alone=lambda number_id, requested_by: (
        enqueue_resync(number, requested_by)
        if (number := db.session.get(PhoneNumber, number_id)) is not None
        else None
    ),
    most_per_job=RESYNC_BATCH_SIZE,
)


def enqueue_bulk_resync(
    numbers: Sequence[PhoneNumber] | Sequence[Row],
    requested_by: User | None,
    progress: Callable[[int], None] | None = None,
) -> BulkStarted:
    """Start setting many numbers' voice webhooks to today's settings (`start_in_batches`).

    `numbers` may be rows of (`id`, `business_id`) rather than whole numbers. A number with a re-sync in
    flight gets no new one; the id of the one in flight is reported instead.

    Raises:
        QueueUnavailable: Redis did not answer (batches enqueued before that stay queued).
    """
    # Read before the first commit expires the rows (each would be read again, one query per number).
    targets = [(number.id, number.business_id) for number in numbers]
    return start_in_batches(RESYNCS, targets, requested_by, progress)


def releases(reason: str | None) -> BatchKind:
    """How release Activities with this reason start in batches."""
    said = {"reason": reason} if reason else {}

    def new_activity(target: Target, requested_by: User | None) -> Activity:
        number = db.session.get(PhoneNumber, target[0])
        if number is None:
            gone = "A number was deleted while the releases started; reload the list to see which started."
            raise ValidationError("phone_number", gone)
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
