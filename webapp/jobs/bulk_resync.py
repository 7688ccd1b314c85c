"""Starting many re-syncs at once: still one Activity per number, under the single re-sync's rule (one in
flight per number), but up to `RESYNC_BATCH_SIZE` of them share one RQ job, because a forked work-horse
per number costs more than the number's own Twilio request.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import Row

from webapp.extensions import db
from webapp.jobs.enqueue import enqueue_resync, resync_activity, resync_in_flight
from webapp.jobs.lost_jobs import live_activity
from webapp.jobs.queue import enqueue_resync_batch, get_queue
from webapp.jobs.starting import check_queue, enqueue_recorded, in_flight_query
from webapp.models import Activity, ActivityKind, PhoneNumber, User, ValidationError, commit_or_raise

RESYNC_BATCH_SIZE = 25
"""The most re-syncs one RQ job runs in turn when many start at once (`enqueue_bulk_resync`): enough that
the work-horse's fork, database connection and client cost a few percent of the batch's Twilio requests."""


@dataclass
class BulkResyncStarted:
    """What `enqueue_bulk_resync` did: the ids of the Activities it recorded, and of those in flight."""

    started: list[uuid.UUID] = field(default_factory=list)
    already_in_flight: list[uuid.UUID] = field(default_factory=list)


def enqueue_bulk_resync(
    numbers: Sequence[PhoneNumber] | Sequence[Row[tuple[uuid.UUID, uuid.UUID]]],
    requested_by: User | None,
    progress: Callable[[int], None] | None = None,
) -> BulkResyncStarted:
    """Start setting many numbers' voice webhooks to today's settings: one Activity each, as `enqueue_resync`
    would record it, in batches of up to `RESYNC_BATCH_SIZE` Activities per RQ job (`resync_batch_size`).

    `numbers` may be rows of (`id`, `business_id`) rather than whole numbers. A number with a re-sync in
    flight gets no new one; the id of the one in flight is reported instead. `progress` is called with how
    many numbers were handled after each batch.

    Raises:
        QueueUnavailable: Redis did not answer (batches enqueued before that stay queued).
    """
    check_queue()
    outcome = BulkResyncStarted()
    # Read before the first commit expires the rows (each would be read again, one query per number).
    targets = [(number.id, number.business_id) for number in numbers]
    size = resync_batch_size(len(targets))
    for first in range(0, len(targets), size):
        start_resync_batch(targets[first : first + size], requested_by, outcome)
        if progress is not None:
            progress(min(first + size, len(targets)))
    return outcome


def resync_batch_size(count: int) -> int:
    """Return how many of `count` re-syncs to put in each job: at most `RESYNC_BATCH_SIZE`, and as evenly as
    makes the number of jobs a whole multiple of the live workers, so that they all finish together."""
    try:
        workers = max(1, Worker.count(queue=get_queue()))
    except RedisError:
        workers = 1  # enqueueing will say that Redis is down
    rounds = math.ceil(count / (workers * RESYNC_BATCH_SIZE))
    return max(1, math.ceil(count / (workers * max(1, rounds))))


def start_resync_batch(
    targets: Sequence[tuple[uuid.UUID, uuid.UUID]], requested_by: User | None, outcome: BulkResyncStarted
) -> None:
    """Record a re-sync Activity for each (number id, business id) with none in flight; enqueue them as
    one job. When one of them gets a re-sync of its own meanwhile, fall back to `enqueue_resync` each."""
    maybe_busy = set(
        db.session.scalars(
            in_flight_query(
                ActivityKind.WEBHOOK_RESYNC,
                Activity.phone_number_id.in_([number_id for number_id, _ in targets]),
            ).with_only_columns(Activity.phone_number_id)
        )
    )
    free: list[tuple[uuid.UUID, uuid.UUID]] = []
    for number_id, business_id in targets:
        running = live_activity(resync_in_flight(number_id)) if number_id in maybe_busy else None
        if running is not None:
            outcome.already_in_flight.append(running.id)
        else:
            free.append((number_id, business_id))
    if not free:
        return
    job_id = uuid.uuid4().hex
    batch_ids = [uuid.uuid4() for _ in free]  # known before the commit expires the rows
    db.session.add_all(
        resync_activity(number_id, business_id, requested_by, id=activity_id, rq_job_id=job_id)
        for activity_id, (number_id, business_id) in zip(batch_ids, free, strict=True)
    )
    try:
        commit_or_raise(db.session)
    except ValidationError:
        for number_id, _ in free:
            number = db.session.get(PhoneNumber, number_id)
            if number is not None:
                outcome.started.append(enqueue_resync(number, requested_by).id)
        return
    enqueue_recorded(batch_ids, job_id, lambda: enqueue_resync_batch([str(i) for i in batch_ids], job_id))
    outcome.started += batch_ids
