"""The WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`; `RQWorker` for `rq worker -w`."""

import sys
from typing import Any

from webapp import create_app
from webapp.config import SettingsError
from webapp.jobs.worker import SwitchboardWorker

try:
    app = create_app()
except SettingsError as error:
    sys.exit(f"switchboard: {error}")


class RQWorker(SwitchboardWorker):
    """The Switchboard worker for RQ's own command (`rq worker -w wsgi.RQWorker ...`), on this app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, app=app, **kwargs)
