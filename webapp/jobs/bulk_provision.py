"""Starting many provisions at once ("Provision selected"), in batches (`batches.py`): one Activity per
business, as `enqueue_provision` records it, one in flight per business."""

from __future__ import annotations

from collections.abc import Sequence

from webapp.extensions import db
from webapp.jobs.batches import BatchKind, BulkStarted, start_in_batches
from webapp.jobs.enqueue import enqueue_provision
from webapp.jobs.starting import requester_id
from webapp.models import Activity, ActivityKind, Business, User

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
