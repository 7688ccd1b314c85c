"""The app jobs run in, in the worker process: handed in once by the worker's entry (`run_worker`, or
`wsgi.RQWorker` for RQ's own command) and reused by every job and callback there.

RQ forks a work-horse per job. The horse inherits the worker's app, so nothing is built per job; it must
not use the database connections it inherited, though (they belong to the worker), so the worker class
calls `forget_inherited_connections` at the start of every horse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from webapp.extensions import db

_app: Flask | None = None


def use_app(app: Flask) -> None:
    """Make `app` the one jobs run in (the worker's entry passes its own)."""
    global _app
    _app = app


class NoJobApp(RuntimeError):
    """A job ran in a process whose entry handed no app in."""


def job_app() -> Flask:
    """Return the jobs' app, as `use_app` was given it.

    Raises:
        NoJobApp: no app was handed in (a worker started other than by `flask --app wsgi worker` or
            `rq worker -w wsgi.RQWorker`).
    """
    if _app is None:
        raise NoJobApp(
            "Jobs have no app: start workers with `flask --app wsgi worker`, or RQ's own command with "
            "`-w wsgi.RQWorker`."
        )
    return _app


@contextmanager
def job_context() -> Iterator[Flask]:
    """Run a job's body in an app context of its own, so it has its own database session."""
    app = job_app()
    with app.app_context():
        yield app


def forget_inherited_connections() -> None:
    """Drop, without closing, the pooled database connections a forked process inherited.

    `close=False` leaves the parent's sockets alone: closing them here would close the worker's too.
    """
    with job_context():
        db.engine.dispose(close=False)
