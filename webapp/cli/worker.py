"""`flask --app wsgi worker`: run a job worker inside the app."""

from __future__ import annotations

import click
from flask import current_app

from webapp.jobs.worker import run_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty instead of waiting for more jobs.")
@click.option("--name", help="The worker's name in RQ (default: random); must be unique among live workers.")
def worker_command(burst: bool, name: str | None) -> None:
    """Run jobs from the 'switchboard' queue: provisioning, webhook checks and re-syncs.

    Runs RQ's scheduler too, so delayed retries happen. Stop it with Ctrl-C or SIGTERM: it finishes the
    job in hand first (a second Ctrl-C stops at once; that job is then failed as abandoned).
    WORKER_HEARTBEAT_SECONDS and WORKER_MAINTENANCE_INTERVAL set how soon a dead worker's job is failed.
    """
    run_worker(current_app._get_current_object(), burst=burst, name=name)  # type: ignore[attr-defined]
