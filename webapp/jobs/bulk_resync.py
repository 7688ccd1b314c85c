"""Starting many re-syncs at once, in batches (`batches.py`): one Activity per number, as `enqueue_resync`
records it, one in flight per number."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Row

from webapp.extensions import db
from webapp.jobs.batches import BatchKind, BulkStarted, start_in_batches
from webapp.jobs.enqueue import enqueue_resync, resync_activity
from webapp.models import Activity, ActivityKind, PhoneNumber, User

RESYNCS = BatchKind(
    kind=ActivityKind.WEBHOOK_RESYNC,
    one_per=Activity.phone_number_id,
    new_activity=lambda target, requested_by: resync_activity(target[0], target[1], requested_by),
    start_alone=lambda number_id, requested_by: (
        enqueue_resync(number, requested_by)
        if (number := db.session.get(PhoneNumber, number_id)) is not None
        else None
    ),
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
