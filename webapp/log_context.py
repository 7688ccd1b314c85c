"""The ids a log line carries (any process): the request's id, the signed-in user, and in a job its id,
its Activity and the id of the request that started it.

A request's id is its `X-Request-ID` header when that is a sane token (a proxy's or a load balancer's),
else a new one; the response returns it. `job_meta` hands it to the job a request enqueues, so a click can
be followed into the job's log lines.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, has_request_context, request
from rq import get_current_job
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-ID"
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""A request id taken from the header: short, and nothing that could forge a log line or a label."""

REQUEST_ID_KEY = "switchboard.request_id"
"""Where the request keeps its id (the WSGI environ: one per request)."""


def request_id() -> str | None:
    """The current request's id; in a job, the id of the request that enqueued it; else None."""
    if has_request_context():
        return request.environ.setdefault(REQUEST_ID_KEY, _taken_or_new())
    job = get_current_job()
    return job.meta.get("request_id") if job is not None else None


def _taken_or_new() -> str:
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    return supplied if ACCEPTED_REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex


def log_ids() -> dict[str, str | None]:
    """The ids for a log line: request, user (only when this request already loaded it), job, Activity."""
    user = g.get("_login_user") if has_request_context() else None  # never load a user to log a line
    job = get_current_job()
    return {
        "request_id": request_id(),
        "user_id": str(user.id) if user is not None and user.is_authenticated else None,
        "job_id": job.id if job is not None else None,
        "activity_id": job.meta.get("activity_id") if job is not None else None,
    }


def job_meta(activity_id: str | None) -> dict[str, str | None]:
    """What a job enqueued now keeps for its log lines: the enqueuing request's id and its Activity."""
    return {"request_id": request_id(), "activity_id": activity_id}


def return_request_id(response: Response) -> Response:
    """Send the request's id back in `X-Request-ID`."""
    response.headers[REQUEST_ID_HEADER] = request_id() or ""
    return response


def init_app(app: Flask) -> None:
    """Return every request's id in its response."""
    app.after_request(return_request_id)
