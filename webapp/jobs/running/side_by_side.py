"""A batch's Twilio calls sent side by side, so that the workers' batches together fill the account's
concurrency limit.

A batch job (`run_activities`) records its Activities one after another; only their Twilio calls run
concurrently. On first use, the calls the batch planned (one for each of its Activities still in flight)
are sent from a thread pool of the account's current limit shared among the live workers (`pool_size`;
each thread with its own client, see `get_client`; every request still holds a slot of the shared
limit). Each thread sends the next call as soon as it has an answer, keeping its slot from one request to
the next (`keeping_slots`). Each Activity then takes its own answer (`take`) when the batch reaches it, so
its status and the console's progress stay live; one the plan left out makes its call alone.

A batch uses it as a context manager: a job that ends before taking every answer (the database went away,
an unexpected error) first cancels the calls not yet sent and waits for those on the wire. RQ ends the
work-horse as soon as the job returns, so a call cut off there would leave its outcome unknown and hold its
slot of the account's limit until the lease runs out.

The pool's threads never touch the database: a job holds one connection however many calls it sends.
"""

from __future__ import annotations

import sys
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Generic, TypeVar

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from webapp.extensions import db
from webapp.jobs.running.saving import before_waiting
from webapp.models import Activity, PhoneNumber
from webapp.redis_connection import get_redis
from webapp.twilio_client import TwilioClient, concurrency_state, get_client

R = TypeVar("R")

SWITCH_SECONDS = 0.0005
"""The GIL switch interval while a batch's calls go out (Python's default is 5 ms): while the job's thread
records Activities, a pool thread whose answer came waits at most this long for the interpreter, so its
slot of the account's limit is not held idle for milliseconds per request. The default is back once the
pool is done."""

TwilioCall = Callable[[TwilioClient], R]
"""One Activity's Twilio work, given a client."""


def in_flight(activity_ids: list[str], *loads: LoaderOption) -> list[Activity]:
    """Return those of the Activities still queued or running, with the relationships `loads` name."""
    ids = [uuid.UUID(activity_id) for activity_id in activity_ids]
    activities = db.session.scalars(db.select(Activity).where(Activity.id.in_(ids)).options(*loads))
    return [activity for activity in activities if activity.is_in_flight]


def in_flight_numbers(activity_ids: list[str]) -> list[PhoneNumber]:
    """The numbers of the Activities `in_flight`, loaded with them and their businesses (one whose number is
    gone adds none): a batch's plan reads each number's business, and one query for all of them keeps the
    first requests from waiting on a query per number."""
    loaded = in_flight(activity_ids, selectinload(Activity.phone_number).selectinload(PhoneNumber.business))
    return [activity.phone_number for activity in loaded if activity.phone_number is not None]


Planned = deque[tuple[TwilioCall[R], Future[R]]]
"""The calls of a batch not yet sent, each with the future its answer goes to."""


def send_in_turn(app: Flask, planned: Planned[R]) -> None:
    """From a pool thread, in an app context (and so with a client) of its own: send the planned calls
    one after another until none is left, keeping one slot of the limit from one to the next. When the
    thread cannot send at all (no client), the calls left get its error as their answer."""
    try:
        with app.app_context():
            client = get_client()
            with client.concurrency.keeping_slots():
                while (taken := take_planned(planned)) is not None:
                    call, answer = taken
                    try:
                        answer.set_result(call(client))
                    except BaseException as error:  # handed to whoever takes the answer
                        answer.set_exception(error)
    except BaseException as error:
        while (taken := take_planned(planned)) is not None:
            taken[1].set_exception(error)
        raise


def take_planned(planned: Planned[R]) -> tuple[TwilioCall[R], Future[R]] | None:
    """Return the next planned call not cancelled, marked running; None when none is left."""
    while planned:
        try:
            call, answer = planned.popleft()
        except IndexError:  # another thread took the last one
            return None
        if answer.set_running_or_notify_cancel():
            return call, answer
    return None


def pool_size(calls: int) -> int:
    """Return how many threads send a batch's `calls`: the account's current limit shared among the live
    workers (bulk work gives each of them a batch at once), rounded down, so that the batches of several
    workers hold the limit's slots between them rather than polling Redis for slots another batch keeps."""
    limit = concurrency_state()
    if limit is None:
        return 1
    try:
        workers = max(1, Worker.count(connection=get_redis()))
    except RedisError:
        workers = 1
    return max(1, min(calls, int(limit.limit) // workers))


class SideBySide(Generic[R]):
    """The Twilio calls of a batch, by key, all sent at once when the first answer is asked for."""

    def __init__(self, plan: Callable[[], dict[str, TwilioCall[R]]]) -> None:
        """`plan` returns the batch's calls by key; it runs (in the job's app context) on first use."""
        self._plan = plan
        self._sent: dict[str, Future[R]] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._switch_interval = sys.getswitchinterval()

    def __enter__(self) -> SideBySide[R]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Cancel the calls not sent yet and wait for those on the wire (see the module docstring)."""
        for answer in (self._sent or {}).values():
            answer.cancel()  # those on the wire or answered stay as they are
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            sys.setswitchinterval(self._switch_interval)

    def planned(self, key: str) -> bool:
        """Return whether the batch sent a call for `key` whose answer nobody has taken yet."""
        return key in self._sending()

    def take(self, key: str) -> R:
        """Return the answer to the batch's call for `key`, raising its error, and forget it.

        Raises:
            KeyError: the batch planned no call for `key`, or its answer was taken.
        """
        sent = self._sending().pop(key)
        if not sent.done():
            before_waiting(sent)
        return sent.result()

    def _sending(self) -> dict[str, Future[R]]:
        if self._sent is None:
            self._sent = self._send_all(self._plan())
        return self._sent

    def _send_all(self, calls: dict[str, TwilioCall[R]]) -> dict[str, Future[R]]:
        if not calls:
            return {}
        threads = pool_size(len(calls))
        sys.setswitchinterval(SWITCH_SECONDS)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        answers: dict[str, Future[R]] = {key: Future() for key in calls}
        planned: Planned[R] = deque((call, answers[key]) for key, call in calls.items())
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="twilio-batch")
        for _ in range(threads):
            self._pool.submit(send_in_turn, app, planned)
        return answers
