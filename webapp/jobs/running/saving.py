"""How a job's steps reach the database: each step commits at once, except in a batch, whose Activities
save their steps together.

A single job commits every step (`save`), so the console sees where it is. A batch of Activities
(`run_activities`) would make that two or three commits per Activity, the most expensive thing it does
once its Twilio calls go side by side; inside `grouped_saves`, a step only releases a savepoint, and the
batch commits what its Activities saved at most every `GROUP_SECONDS`, before it waits on Twilio
(`before_waiting`: a deferred group with no transaction open first waits until its commit is due) and at
its end, so the console's progress is still at most that late and no transaction
stays open across a Twilio request. `undo` rolls back to the last step saved, as a rollback after a
commit does in a single job: one Activity's failure never undoes another's steps.

A batch's commits leave its objects loaded (`expire_on_commit` off while it runs): each Activity and
number would otherwise be read again, one query each, after every grouped commit (58 of the 170
statements of 25 re-syncs). What a batch read keeps the values it had then, for the seconds a batch
lasts; its writes name only the columns it changed.

A batch whose steps only change and add rows, and read nothing they wrote (a re-sync's), groups them
with `grouped_saves(deferred=True)` instead: a step writes nothing when it is saved, and the grouped commit
sends every saved change at once (SQLAlchemy batches the rows' UPDATEs), so a re-sync costs no savepoint
and no statement of its own. Autoflush is off meanwhile, so nothing a step changes reaches the database
before its save; `undo` forgets the step's changes in memory (`expire`, then the values saved before it are
set again) and drops the rows it added. A row is noted when a step first saves it: each step of such a
batch changes rows of its own (an Activity and its number), never one an earlier step of the group saved.

On SQLite (the embedded default), a batch commits every step, as a single job does. pysqlite's SAVEPOINT
opens a deferred transaction whose reads pin a snapshot: when another worker commits before the batch's
next write, SQLite refuses that write at once (SQLITE_BUSY_SNAPSHOT, "database is locked") instead of
waiting its `busy_timeout`, and the whole batch would go back to the queue.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent import futures
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.exc import ResourceClosedError, SQLAlchemyError
from sqlalchemy.orm import InstanceState, SessionTransaction

from webapp.extensions import db

GROUP_SECONDS = 0.5
"""The longest a batch keeps saved steps uncommitted: how late the console may show its progress."""


class SavedSteps:
    """The open group of a batch: a savepoint since the last step saved, and when it last committed."""

    def __init__(self) -> None:
        self.committed_at = time.monotonic()
        self.savepoint: SessionTransaction = db.session.begin_nested()

    def save(self, commit: bool = False) -> None:
        """Keep the steps since the last savepoint, committing them all when `commit` or when due."""
        self.end_savepoint("commit")
        if commit or time.monotonic() - self.committed_at >= GROUP_SECONDS:
            self.commit()
        self.savepoint = db.session.begin_nested()

    def undo(self) -> None:
        self.end_savepoint("rollback")
        self.savepoint = db.session.begin_nested()

    def end_savepoint(self, how: str) -> None:
        """Release (`commit`) or roll back the savepoint; one a whole-session commit ended stays ended."""
        with suppress(ResourceClosedError):
            getattr(self.savepoint, how)()

    def commit(self) -> None:
        db.session.commit()
        self.committed_at = time.monotonic()


class DeferredSteps(SavedSteps):
    """The open group of a batch whose steps write nothing until it commits (see the module docstring):
    what the steps saved so far is known in memory only."""

    def __init__(self) -> None:
        self.committed_at = time.monotonic()
        self.forget_saved()
        self.session = db.session()  # the scoped session's own, whose events are listened to
        self.holds_transaction = self.session.in_transaction()
        """Whether a statement ran since the last commit: the database holds a transaction open."""
        event.listen(self.session, "after_begin", self.began)

    def began(self, *args: object) -> None:
        self.holds_transaction = True

    def stop_listening(self) -> None:
        event.remove(self.session, "after_begin", self.began)

    def forget_saved(self) -> None:
        self.saved: dict[InstanceState, dict[str, object]] = {}
        self.added: set[object] = set()

    def save(self, commit: bool = False) -> None:
        """Note what the steps changed so far; commit it all when `commit` or when due."""
        if commit or time.monotonic() - self.committed_at >= GROUP_SECONDS:
            self.commit()
            return
        for state in db.session.identity_map.all_states():
            if state.modified and state not in self.saved:
                self.saved[state] = changed_values(state)
        self.added = set(db.session.new)

    def undo(self) -> None:
        for row in db.session.new:
            if row not in self.added:
                db.session.expunge(row)
        for row in db.session.dirty:
            state = inspect(row)
            db.session.expire(row)  # forgets every change since the last flush
            for key, value in self.saved.get(state, {}).items():
                setattr(row, key, value)

    def end_savepoint(self, how: str) -> None:
        if how == "rollback":
            self.undo()

    def commit(self) -> None:
        super().commit()
        self.forget_saved()
        self.holds_transaction = False


def changed_values(state: InstanceState) -> dict[str, object]:
    """Return the attributes of a row changed since it was loaded or flushed, with their values."""
    return {key: state.dict.get(key) for key in state.committed_state}  # committed_state: what changed


_group: ContextVar[SavedSteps | None] = ContextVar("saved_steps", default=None)


def save() -> None:
    """Make the step's changes lasting: a commit, or in a batch, a step of its next commit."""
    group = _group.get()
    if group is None:
        db.session.commit()
    else:
        group.save()


def before_waiting(answer: Future[Any]) -> None:
    """In a batch, commit the steps saved so far before waiting on Twilio's `answer`: no transaction (and, on
    SQLite, no write lock) is held across the wait.

    A deferred group with no transaction open (its steps wrote and read nothing since its last commit) holds
    nothing across the wait: it waits for the answer while its commit is not due yet, and commits only if
    the answer is still out then, so that a batch whose answers arrive one by one, as its main thread takes
    them, does not commit once per Activity."""
    group = _group.get()
    if group is None:
        return
    if isinstance(group, DeferredSteps) and not group.holds_transaction:
        futures.wait([answer], timeout=max(0.0, GROUP_SECONDS - (time.monotonic() - group.committed_at)))
        if answer.done():
            return
    group.save(commit=True)


def undo() -> None:
    """Forget what was changed since the last step saved."""
    group = _group.get()
    if group is None:
        db.session.rollback()
    else:
        group.undo()


@contextmanager
def grouped_saves(deferred: bool = False) -> Iterator[None]:
    """Save the steps of the code inside together (see the module docstring), committing at the end; with
    `deferred`, each step's writes wait for the grouped commit.

    When an error escapes, the steps saved before it are still committed (when the database answers) and
    the error goes on. On SQLite, each step commits (see the module docstring).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        yield
        return
    group = DeferredSteps() if deferred else SavedSteps()
    token = _group.set(group)
    session = db.session()  # the scoped session's own settings, not its proxy's
    session.expire_on_commit = False
    session.autoflush = not deferred
    try:
        yield
    except BaseException:
        try:
            group.end_savepoint("rollback")
            group.commit()
        except SQLAlchemyError:
            db.session.rollback()
        raise
    else:
        group.end_savepoint("commit")
        group.commit()
    finally:
        session.expire_on_commit = session.autoflush = True
        if isinstance(group, DeferredSteps):
            group.stop_listening()
        _group.reset(token)
