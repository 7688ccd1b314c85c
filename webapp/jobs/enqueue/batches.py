"""Starting many jobs of one kind at once: still one Activity per target, under the kind's rule of one in
flight per target, but up to `BATCH_SIZE` of them (`RESYNC_BATCH_SIZE` re-syncs) share one RQ job,
because a forked work-horse per Activity costs more than the Activity's own Twilio requests. The batch job
sends those requests side by side (`side_by_side.py`).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.orm import InstrumentedAttribute

from webapp.extensions import db
from webapp.jobs.enqueue.lost_jobs import live_activity
from webapp.jobs.enqueue.queue import enqueue_batch, get_queue
from webapp.jobs.enqueue.starting import check_queue, enqueue_recorded, in_flight_query
from webapp.models import Activity, ActivityKind, User, ValidationError, commit_or_raise
from webapp.models.activity import name_numbers

BATCH_SIZE = 25
"""The most Activities one RQ job runs when many start at once: enough that the work-horse's fork, database
connection and client cost a few percent of the batch's Twilio requests (purchases, releases)."""

RESYNC_BATCH_SIZE = 2000
"""The most re-syncs one RQ job runs: a re-sync is one short request, and at 25 a job the work-horse and its
threads' clients cost about a fifth of a re-sync's CPU (`bench.resync_cpu`). Between two jobs a worker's
share of the account's limit sits idle for a second or two (the batch's last answers, the next fork, its
start and plan), and the workers' batches end together: at 500 a job, 10,000 re-syncs with 2 workers
reached 0.71 of a bare script's rate, nine such pauses each (`bench.fleet`). 2,000 take about 20 s per
worker at the limit: a single re-sync queued behind one waits that long."""

Target = tuple[uuid.UUID, uuid.UUID]
"""What one Activity of a batch is for: the id its kind allows one Activity in flight for (a number's, or
a business's), and the business's id."""


@dataclass
class BulkStarted:
    """What a bulk start did: the ids of the Activities it recorded, and of those already in flight."""

    started: list[uuid.UUID] = field(default_factory=list)
    already_in_flight: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class BatchKind:
    """How Activities of one kind start in batches."""

    kind: ActivityKind
    one_per: InstrumentedAttribute
    """The Activity column a `Target`'s first id goes in, of which one may be in flight per value."""
    new_activity: Callable[[Target, User | None], Activity]
    """Returns a new (unsaved) Activity for a target."""
    start_alone: Callable[[uuid.UUID, User | None], Activity | None]
    """Starts the kind's job for one target by itself (None if it is gone): when a batch's insert is
    refused because one of its targets got an Activity meanwhile."""
    most_per_job: int = BATCH_SIZE
    """The most Activities of the kind one RQ job runs."""


def start_in_batches(
    batch_kind: BatchKind,
    targets: Sequence[Target],
    requested_by: User | None,
    progress: Callable[[int], None] | None = None,
) -> BulkStarted:
    """Start an Activity of the kind for each target with none in flight, in batches of up to the kind's
    `most_per_job` per RQ job (`batch_size`); report the id in flight for the others. `progress` is called
    with how many targets were handled after each batch.

    Raises:
        QueueUnavailable: Redis did not answer (batches enqueued before that stay queued).
    """
    check_queue()
    outcome = BulkStarted()
    size = batch_size(len(targets), batch_kind.most_per_job)
    for first in range(0, len(targets), size):
        start_batch(batch_kind, targets[first : first + size], requested_by, outcome)
        if progress is not None:
            progress(min(first + size, len(targets)))
    return outcome


def batch_size(count: int, most: int = BATCH_SIZE) -> int:
    """Return how many of `count` Activities to put in each job: at most `most`, and as evenly as makes the
    number of jobs a whole multiple of the live workers, so that they all finish together."""
    try:
        workers = max(1, Worker.count(queue=get_queue()))
    except RedisError:
        workers = 1  # enqueueing will say that Redis is down
    rounds = math.ceil(count / (workers * most))
    return max(1, math.ceil(count / (workers * max(1, rounds))))


def start_batch(
    batch_kind: BatchKind, targets: Sequence[Target], requested_by: User | None, outcome: BulkStarted
) -> None:
    """Record an Activity for each target with none in flight and enqueue them as one job. When one of them
    gets an Activity of its own meanwhile, start each alone instead."""
    kind, column = batch_kind.kind, batch_kind.one_per
    maybe_busy = set(
        db.session.scalars(
            in_flight_query(kind, column.in_([key for key, _ in targets])).with_only_columns(column)
        )
    )
    free: list[Target] = []
    for target in targets:
        key = target[0]
        running = live_activity(in_flight_query(kind, column == key)) if key in maybe_busy else None
        if running is not None:
            outcome.already_in_flight.append(running.id)
        else:
            free.append(target)
    if not free:
        return
    job_id = uuid.uuid4().hex
    batch_ids = [uuid.uuid4() for _ in free]  # known before the commit expires the rows
    activities = [batch_kind.new_activity(target, requested_by) for target in free]
    for activity_id, activity in zip(batch_ids, activities, strict=True):
        activity.id, activity.rq_job_id = activity_id, job_id
    name_numbers(db.session(), activities)  # so that the batch is inserted by one statement
    db.session.add_all(activities)
    try:
        commit_or_raise(db.session)
    except ValidationError:
        for key, _ in free:
            if (alone := batch_kind.start_alone(key, requested_by)) is not None:
                outcome.started.append(alone.id)
        return
    enqueue_recorded(batch_ids, job_id, lambda: enqueue_batch(kind, [str(i) for i in batch_ids], job_id))
    outcome.started += batch_ids
