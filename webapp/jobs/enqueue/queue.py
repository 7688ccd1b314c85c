"""The Switchboard queue, and how each kind of job goes on it (function, time limit, failure callback)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from rq import Callback, Queue

from webapp.log_context import job_meta
from webapp.models import ActivityKind
from webapp.redis_connection import get_redis

QUEUE_NAME = "switchboard"
"""The one RQ queue every Switchboard job goes to; workers listen on it."""

FAILURE_CALLBACK = "webapp.jobs.running.failures.record_job_failure"
"""Marks the Activity failed when its job raised, timed out or was abandoned by a dead worker."""

RESULT_TTL_SECONDS = 24 * 3600
"""How long RQ keeps a finished job's result; the Activity row is the lasting record."""

FAILURE_TTL_SECONDS = 7 * 24 * 3600
"""How long RQ keeps a failed job; a small failed registry keeps the RQ dashboard fast."""


@dataclass(frozen=True)
class JobSpec:
    """The job function RQ imports (by path) for a kind of Activity, and its time limit in seconds."""

    function: str
    timeout: int


JOBS: dict[ActivityKind, JobSpec] = {
    ActivityKind.PROVISION: JobSpec("webapp.jobs.tasks.provision.provision_business_number", 300),
    ActivityKind.WEBHOOK_RESYNC: JobSpec("webapp.jobs.tasks.webhooks.resync_webhook", 120),
    ActivityKind.WEBHOOK_CHECK: JobSpec("webapp.jobs.tasks.webhooks.check_webhooks", 3600),
    ActivityKind.RESYNC_DRIFTED: JobSpec("webapp.jobs.tasks.webhooks.resync_drifted", 600),
    ActivityKind.RELEASE: JobSpec("webapp.jobs.tasks.release.release_number", 120),
    ActivityKind.ADOPT: JobSpec("webapp.jobs.tasks.orphans.adopt_orphan", 120),
    ActivityKind.MOVE: JobSpec("webapp.jobs.tasks.move.move_number", 120),
    ActivityKind.REPLACE: JobSpec("webapp.jobs.tasks.replace.replace_number", 300),
    ActivityKind.HEALTH_CHECK: JobSpec("webapp.jobs.tasks.number_health.refresh_health", 300),
    ActivityKind.TEST_CALL: JobSpec("webapp.jobs.tasks.test_calls.place_test_call", 300),
    ActivityKind.HEALTH_SWEEP: JobSpec("webapp.jobs.tasks.health_sweep.sweep_health", 1800),
    ActivityKind.EMERGENCY_ADDRESS: JobSpec("webapp.jobs.tasks.emergency.change_emergency_address", 120),
}
"""Each job's time limit covers Twilio's timeouts times the client's attempts, with room to spare;
checking every number gets an hour (about 100 numbers a second against Twilio)."""

BATCH_FUNCTIONS: dict[ActivityKind, str] = {
    ActivityKind.WEBHOOK_RESYNC: "webapp.jobs.tasks.webhooks.resync_webhook_batch",
    ActivityKind.PROVISION: "webapp.jobs.tasks.provision.provision_batch",
    ActivityKind.RELEASE: "webapp.jobs.tasks.release.release_batch",
}
"""The jobs that run several Activities of a kind (see `batches.py`); each Activity gets the time limit of
its kind's job alone."""


def get_queue() -> Queue:
    """Return the Switchboard queue on the current app's Redis."""
    return Queue(QUEUE_NAME, connection=get_redis())


def enqueue_job(kind: ActivityKind, activity_id: str, job_id: str) -> None:
    """Put the job for an Activity on the queue, under the job id the Activity already records.

    Raises:
        redis.exceptions.RedisError: Redis did not answer.
    """
    spec = JOBS[kind]
    put_on_queue(spec.function, activity_id, spec.timeout, job_id, f"{kind.value} activity {activity_id}")


def enqueue_batch(kind: ActivityKind, activity_ids: list[str], job_id: str) -> None:
    """Put one job on the queue that runs the `kind` Activities `activity_ids` (`BATCH_FUNCTIONS`).

    Raises:
        redis.exceptions.RedisError: Redis did not answer.
    """
    put_on_queue(
        BATCH_FUNCTIONS[kind],
        activity_ids,
        JOBS[kind].timeout * len(activity_ids),
        job_id,
        f"{kind.value} of {len(activity_ids)} activities from {activity_ids[0]}",
    )


def schedule_follow_up(kind: ActivityKind, activity_id: str, delay_seconds: int) -> str:
    """Put the job of a `kind` Activity on RQ's scheduler, to run in `delay_seconds`, under a new job id;
    return the id (a job waiting for Twilio looks again this way, `running/follow_up.py`).

    Raises:
        redis.exceptions.RedisError: Redis did not answer.
    """
    spec = JOBS[kind]
    job_id = uuid.uuid4().hex
    description = f"{kind.value} activity {activity_id}, looking again"
    options = job_options(activity_id, spec.timeout, job_id, description)
    get_queue().enqueue_in(timedelta(seconds=delay_seconds), spec.function, activity_id, **options)
    return job_id


def job_options(argument: object, timeout: int, job_id: str, description: str) -> dict[str, object]:
    """Our time limit, retention and failure callback for a job, and the ids its log lines carry (the
    request's, and the Activity's when `argument` is one Activity's id)."""
    return {
        "job_timeout": timeout,
        "job_id": job_id,
        "description": description,
        "result_ttl": RESULT_TTL_SECONDS,
        "failure_ttl": FAILURE_TTL_SECONDS,
        "on_failure": Callback(FAILURE_CALLBACK),
        "meta": job_meta(argument if isinstance(argument, str) else None),
    }


def put_on_queue(function: str, argument: object, timeout: int, job_id: str, description: str) -> None:
    """Enqueue `function(argument)` with `job_options`."""
    options = job_options(argument, timeout, job_id, description)
    get_queue().enqueue(function, argument, **options)
