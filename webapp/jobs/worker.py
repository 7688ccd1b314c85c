"""The Switchboard worker, in the worker process: RQ's forking worker fitted to our jobs, and `run_worker`
to start it with the app its entry hands in (`flask --app wsgi worker`).

RQ's own command takes `wsgi.RQWorker`, which hands in the app `wsgi.py` builds (settings from the
environment)::

    rq worker --url "$REDIS_URL" --worker-class wsgi.RQWorker --with-scheduler \\
        --job-monitoring-interval 10 --maintenance-interval 30 switchboard
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from rq import Worker
from rq.job import Job
from rq.queue import Queue

from webapp.jobs.enqueue.queue import QUEUE_NAME
from webapp.jobs.recurring import schedule_recurring
from webapp.jobs.running.failures import EXPECTED_FAILURES, record_dead_work_horse
from webapp.jobs.running.legacy_paths import keep_old_job_paths
from webapp.jobs.running.runtime import forget_inherited_connections, job_app, use_app
from webapp.metrics.files import become_work_horse
from webapp.redis_connection import redis_from_url
from webapp.twilio_client import load_library

logger = logging.getLogger(__name__)

MISSED_HEARTBEATS = 3
"""Heartbeats a running job's worker may miss before the job counts as abandoned (RQ's own grace is 60 s)."""


class SwitchboardWorker(Worker):
    """RQ's `Worker` (a forked work-horse per job), with six changes:

    - the jobs' app is handed in, and the Twilio library loaded, once, here, before any fork: every
      work-horse reuses them;
    - each work-horse drops the database connections it inherited (`forget_inherited_connections`);
    - each work-horse counts its metrics in its worker's work-horse files, not files of its own (`files`);
    - a job whose worker died is found after `MISSED_HEARTBEATS` heartbeats plus at most one maintenance
      interval (RQ's defaults: 60 s plus up to ~7 minutes, since an idle worker waits 405 s for a job
      before it looks at maintenance again);
    - a work-horse killed alone fails its Activity too (RQ runs no failure callback then);
    - an expected failure (`EXPECTED_FAILURES`, e.g. Twilio refusing a request) is logged once, by the
      failure callback, with the Activity and the reason; tracebacks are for unexpected errors only.

    It also keeps the previous release's job paths importable (`keep_old_job_paths`).

    A forking worker rather than `SimpleWorker`: only it keeps heartbeats going while a job waits on Twilio,
    and a job that crashes its process takes only the work-horse down.
    """

    def __init__(self, *args: Any, app: Flask | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if app is not None:
            use_app(app)
        job_app()
        keep_old_job_paths()
        load_library()

    @property
    def dequeue_timeout(self) -> int:
        """Seconds an idle worker blocks waiting for a job: at most one maintenance interval."""
        return max(1, min(self.worker_ttl - 15, int(self.maintenance_interval)))

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Seconds a running job's heartbeat lasts: until the next one, plus `MISSED_HEARTBEATS` of grace."""
        grace = MISSED_HEARTBEATS * self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            return int(min(job.timeout - working_time, self.job_monitoring_interval)) + grace
        return self.job_monitoring_interval + grace

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """Run the job in the forked work-horse, on database connections of its own, counting its metrics
        in the worker's work-horse files."""
        become_work_horse()
        forget_inherited_connections()
        super().main_work_horse(job, queue)

    def handle_exception(self, job: Job, *exc_info: Any) -> None:
        """Log an unexpected error with its traceback; an expected one was logged by the failure callback."""
        if isinstance(exc_info[1], EXPECTED_FAILURES):
            return
        super().handle_exception(job, *exc_info)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        """Fail the job's Activity when its work-horse died without a word."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        record_dead_work_horse(job, ret_val)


def run_worker(app: Flask, *, burst: bool = False, name: str | None = None) -> bool:
    """Work on the Switchboard queue, with the scheduler (for delayed retries and the recurring jobs, which
    it schedules), until stopped.

    With `burst`, stop once the queue is empty. Returns whether any job was run.
    """
    worker = SwitchboardWorker(
        [QUEUE_NAME],
        app=app,
        name=name,
        connection=redis_from_url(app.config["REDIS_URL"]),
        job_monitoring_interval=app.config["WORKER_HEARTBEAT_SECONDS"],
        maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"],
    )
    logger.info("Worker %s on queue %s", worker.name, QUEUE_NAME)
    schedule_recurring(Queue(QUEUE_NAME, connection=worker.connection))
    return worker.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
