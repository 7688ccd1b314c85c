"""Starting work, in the web and CLI processes: each call records its Activity and lays its RQ job on the
queue, keeping the one-in-flight rules. The console and the CLI start jobs through this front door only.

- `kinds`: one Activity of each kind (provision, re-sync, check, retry); `health`: health reads, test calls
  and the health sweep; `number_changes`: release, move and replace, with their refusals; `emergency`:
  registering or removing a number's emergency address; `orphans`: adopting or releasing a number a check
  found at Twilio unrecorded.
- `bulk` and `batches`: many Activities at once, up to 25 per RQ job; `auto_release`: the cancelled
  businesses' numbers.
- `starting`, `queue`, `lost_jobs`: recording an Activity with its job, the queue and its job specs, and
  Activities whose job was lost.
"""

from webapp.jobs.enqueue.auto_release import numbers_of_long_cancelled, release_cancelled
from webapp.jobs.enqueue.bulk import (
    activities_of,
    enqueue_bulk_provision,
    enqueue_bulk_release,
    enqueue_bulk_resync,
)
from webapp.jobs.enqueue.emergency import EmergencyAction, emergency_refusal, enqueue_emergency
from webapp.jobs.enqueue.health import (
    NO_TEST_CALLER,
    enqueue_health_check,
    enqueue_health_sweep,
    enqueue_test_call,
)
from webapp.jobs.enqueue.kinds import (
    enqueue_check,
    enqueue_provision,
    enqueue_resync,
    enqueue_resync_drifted,
    retry_activity,
)
from webapp.jobs.enqueue.number_changes import (
    REASON_MAX,
    emergency_in_flight,
    enqueue_move,
    enqueue_release,
    enqueue_replace,
)
from webapp.jobs.enqueue.orphans import enqueue_orphan_adoption, enqueue_orphan_release
from webapp.jobs.enqueue.queue import get_queue
from webapp.jobs.running.errors import QueueUnavailable

__all__ = [
    "NO_TEST_CALLER",
    "REASON_MAX",
    "EmergencyAction",
    "QueueUnavailable",
    "activities_of",
    "emergency_in_flight",
    "emergency_refusal",
    "enqueue_bulk_provision",
    "enqueue_bulk_release",
    "enqueue_bulk_resync",
    "enqueue_check",
    "enqueue_emergency",
    "enqueue_health_check",
    "enqueue_health_sweep",
    "enqueue_move",
    "enqueue_orphan_adoption",
    "enqueue_orphan_release",
    "enqueue_provision",
    "enqueue_release",
    "enqueue_replace",
    "enqueue_resync",
    "enqueue_resync_drifted",
    "enqueue_test_call",
    "get_queue",
    "numbers_of_long_cancelled",
    "release_cancelled",
    "retry_activity",
]
