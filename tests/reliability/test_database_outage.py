"""The database unreachable or locked: pages answer a plain 503 page, never a traceback; nothing is
half-written; a lock held elsewhere delays a click but never loses it; a job that loses the database runs
again once it is back, adopting what it bought before.

What "unreachable" means depends on the database:

- PostgreSQL: the app reaches it through a TCP proxy of the test's own, which the test cuts (new connections
  refused, open ones reset, as when the server or the network goes) and restores.
- SQLite: a local file cannot go away from one process and not another, and WAL lets readers through any
  lock, so pages keep answering. What can fail is a write, when another process holds the write lock
  longer than the busy timeout (30 s in `webapp/extensions.py`): the test takes that lock from another
  connection and shortens the busy timeout of the connection about to write, so it fails in milliseconds.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any, Protocol

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url

from harness.waits import wait_for_activity, wait_until
from harness.workers import FAST_JOB_SETTINGS, sandbox_settings
from tests.admin.helpers import page_text, post_action
from tests.factories import make_business
from tests.fixtures.web import AppMaker, AuthActions
from tests.jobs.helpers import activities, numbers_of
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.jobs.enqueue.queue import get_queue
from webapp.models import ActivityStatus, Role

PLAIN_503 = "The database is not answering. Try again in a minute."
INTERNALS = ("Traceback", "OperationalError", "psycopg", "sqlite3", "SELECT", "INSERT")
LOCK_HELD_SECONDS = 1.0
HANG_SECONDS = 3
PURCHASE = "POST /IncomingPhoneNumbers.json"


class Outage(Protocol):
    def cut_during(self, cursor: Any) -> None:
        """Make the statement about to run on `cursor` (and every one after) fail until `restore()`."""

    def restore(self) -> None: ...


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `upstream`; `cut()` refuses and resets everything until `restore()`."""

    def cut_during(self, cursor: Any) -> None:
        self.cut()

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def restore(self) -> None:
        """Listen (again, on the same port) and forward every connection."""
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._spawn(self._accept, listener)

    def cut(self) -> None:
        """Stop listening (connections are refused) and reset every open connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="db-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.upstream, timeout=5)
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._open += [client, server]
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


class SqliteLock:
    """The SQLite file's write lock, held by another connection while cut."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._holder: sqlite3.Connection | None = None

    def cut_during(self, cursor: Any) -> None:
        cursor.connection.execute("PRAGMA busy_timeout=50")  # fail in 50 ms, not 30 s
        self._holder = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        self._holder.execute("BEGIN EXCLUSIVE")

    def restore(self) -> None:
        if self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None


@contextlib.contextmanager
def write_lock_held_elsewhere(url: URL) -> Iterator[None]:
    """Hold, from another connection, the lock a new Activity needs: SQLite's write lock, or on PostgreSQL
    a lock on `activities` that lets reads through and makes writes wait."""
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database or "", isolation_level=None, timeout=5)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, connect_timeout=5) as holder:
        holder.execute("LOCK TABLE activities IN EXCLUSIVE MODE")
        yield
        holder.rollback()


@pytest.fixture
def database_outage(app_settings: dict[str, Any], make_app: AppMaker) -> Iterator[Outage]:
    """Build the test's app on a database the test can cut (ask for it before `app`)."""
    url = make_url(app_settings["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        make_app()
        lock = SqliteLock(url.database or "")
        yield lock
        lock.restore()
        return
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.restore()
    make_app(DATABASE_URL=url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    yield proxy
    make_app.close()  # before the proxy goes: the app's session rolls back through it
    proxy.cut()


def assert_plain_503(response) -> None:  # type: ignore[no-untyped-def]
    text = page_text(response)
    assert response.status_code == 503, text[:500]
    assert PLAIN_503 in text
    for internal in INTERNALS:
        assert internal not in text, f"{internal!r} leaked into the error page"


@pytest.mark.postgres_only
def test_pages_answer_a_plain_503_while_the_database_is_unreachable_and_heal_after(
    database_outage, app, client, auth
):
    auth.login(Role.VIEWER)
    db.session.remove()  # the test's own session holds no connection across the outage

    database_outage.cut()
    try:
        assert_plain_503(client.get("/admin/business/"))
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json == {"status": "degraded"}
    finally:
        database_outage.restore()

    assert client.get("/admin/business/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_database_lost_in_the_middle_of_a_click_leaves_nothing_half_written(
    database_outage, app, client, auth
):
    business_id = make_business("Half Written Bakery").id
    auth.login(Role.OPERATOR)
    db.session.remove()

    def cut_at_the_activity_insert(conn, cursor, statement, *args: Any) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO ACTIVITIES"):
            database_outage.cut_during(cursor)

    event.listen(db.engine, "before_cursor_execute", cut_at_the_activity_insert)
    try:
        assert_plain_503(post_action(client, "business", "provision", [business_id]))
    finally:
        event.remove(db.engine, "before_cursor_execute", cut_at_the_activity_insert)
        database_outage.restore()

    assert activities() == []
    assert get_queue().count == 0, "a job was queued for an Activity that was never recorded"
    post_action(client, "business", "provision", [business_id])
    [activity] = activities()
    assert get_queue().job_ids == [activity.rq_job_id]


def test_a_write_lock_held_elsewhere_delays_a_click_but_pages_keep_answering_and_nothing_is_lost(
    app, client, auth
):
    business_id = make_business("Patient Bakery").id
    auth.login(Role.OPERATOR)
    db.session.remove()
    signed_in, locked = threading.Event(), threading.Event()
    answers: list[Any] = []

    def click() -> None:
        # A second user in a thread of its own (its own app context: Flask-WTF caches tokens in `g`).
        clicker = app.test_client()
        with app.app_context():
            AuthActions(clicker).login(Role.OPERATOR)
            signed_in.set()
            locked.wait(timeout=10)
            answers.append(post_action(clicker, "business", "provision", [business_id]))

    clicking = threading.Thread(target=click, name="click")
    clicking.start()
    assert signed_in.wait(timeout=10)
    with write_lock_held_elsewhere(make_url(app.config["SQLALCHEMY_DATABASE_URI"])):
        locked.set()
        for url in ("/admin/", "/admin/business/", "/admin/activity/", "/healthz"):
            assert client.get(url).status_code == 200, url
        clicking.join(timeout=LOCK_HELD_SECONDS)
        assert clicking.is_alive() and not answers, "the click did not wait for the lock"
    clicking.join(timeout=10)

    assert [answer.status_code for answer in answers] == [302]
    [activity] = activities()
    assert activity.status == ActivityStatus.QUEUED
    assert get_queue().job_ids == [activity.rq_job_id]


@pytest.mark.postgres_only
def test_the_database_lost_while_a_worker_records_a_purchase_heals_by_itself_once_back(
    database_outage, app, sandbox, start_worker
):
    business = make_business("Outage Plumbing", preferred_area_code="415")
    business_id = business.id
    # The sandbox buys at once and answers HANG_SECONDS later: the answer arrives while the database is away.
    sandbox.set_faults(f"timeout=1,hang={HANG_SECONDS},method=POST,path=/IncomingPhoneNumbers.json")
    worker = start_worker(
        **{**sandbox_settings(sandbox), **FAST_JOB_SETTINGS, "JOB_RETRY_INTERVALS": "2,2,3,5,5"}
    )
    activity_id = enqueue_provision(business, None).id
    db.session.remove()
    wait_until(lambda: sandbox.request_count(PURCHASE) == 1, 20, "the purchase to reach the sandbox")

    database_outage.cut()
    wait_until(
        lambda: "The database did not answer (OperationalError)" in worker.log(),
        HANG_SECONDS + 30,
        "the worker to find the database gone as it records the purchase",
    )
    database_outage.restore()
    done = wait_for_activity(activity_id, timeout=40)

    assert done.status == ActivityStatus.SUCCEEDED, f"{done.error}\n{worker.log()}"
    assert "The database did not answer (OperationalError)" in worker.log()
    # The run after the outage found the number bought before it: one purchase, one number, recorded.
    assert done.attempts >= 2 and "Adopted" in done.result["note"]
    [number] = numbers_of(business_id)
    [owned] = sandbox.owned_numbers()
    assert owned["sid"] == number.twilio_sid
    assert sandbox.request_count(PURCHASE) == 1
