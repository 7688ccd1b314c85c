"""A batch's grouped saves on PostgreSQL: an undone step leaves the steps saved before it, with or without
savepoints (a re-sync batch's steps write nothing until the group commits); before waiting on Twilio, a
batch commits, unless it holds no transaction and its answer comes before its commit is due."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests.factories import make_number
from webapp.extensions import db
from webapp.jobs.running.saving import GROUP_SECONDS, before_waiting, grouped_saves, save, undo
from webapp.models import PhoneNumber, WebhookStatus

pytestmark = pytest.mark.postgres_only  # on SQLite a batch commits each step


@pytest.mark.parametrize("deferred", [False, True], ids=["savepoints", "deferred"])
def test_an_undone_step_keeps_the_steps_saved_before_it(app, deferred):
    saved, undone, later = make_number(), make_number(), make_number()

    with grouped_saves(deferred=deferred):
        saved.webhook_status = WebhookStatus.IN_SYNC
        save()
        undone.webhook_status = WebhookStatus.ERROR
        undone.webhook_error = "Twilio did not keep the webhook settings."
        undo()
        undone.webhook_error = "The number was deleted."  # what the failure records after the undo
        later.webhook_status = WebhookStatus.DRIFTED
        save()

    db.session.expire_all()
    assert saved.webhook_status == WebhookStatus.IN_SYNC
    assert (undone.webhook_status, undone.webhook_error) == (WebhookStatus.UNKNOWN, "The number was deleted.")
    assert later.webhook_status == WebhookStatus.DRIFTED


def committed_status(number_id) -> WebhookStatus:  # type: ignore[no-untyped-def]
    """The number's webhook status as committed (read on a connection of its own)."""
    with db.engine.connect() as connection:
        return connection.execute(
            select(PhoneNumber.webhook_status).where(PhoneNumber.id == number_id)
        ).scalar_one()


@contextmanager
def counted_commits() -> Iterator[list[float]]:
    """Collect the time of every COMMIT the app's engine sends inside the block."""
    commits: list[float] = []

    def record(connection) -> None:  # type: ignore[no-untyped-def]
        commits.append(time.monotonic())

    event.listen(db.engine, "commit", record)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", record)


def answered_in(seconds: float) -> Future[str]:
    """A Twilio answer that arrives `seconds` from now."""
    answer: Future[str] = Future()
    threading.Timer(seconds, answer.set_result, ["answered"]).start()
    return answer


@contextmanager
def step_saved_after_the_first_commit() -> Iterator[tuple[uuid.UUID, list[float]]]:
    """Inside a deferred batch whose first wait committed, save a number's new webhook status; yield the
    number's id and the commits counted from there on (the batch ends, and commits, on leaving)."""
    number = make_number()
    number_id = number.id  # read before the batch: a read inside it would open a transaction
    with grouped_saves(deferred=True):
        before_waiting(answered_in(0))  # the batch read its rows: its first wait commits
        with counted_commits() as commits:
            number.webhook_status = WebhookStatus.IN_SYNC
            save()
            yield number_id, commits


def test_a_deferred_batch_waits_for_an_answer_due_before_its_commit_without_committing(app):
    with step_saved_after_the_first_commit() as (number_id, commits):
        answer = answered_in(GROUP_SECONDS / 10)
        before_waiting(answer)

        assert answer.done()
        assert commits == []
        assert committed_status(number_id) == WebhookStatus.UNKNOWN

    assert committed_status(number_id) == WebhookStatus.IN_SYNC


def test_a_deferred_batch_commits_when_due_while_its_answer_is_still_out(app):
    with step_saved_after_the_first_commit() as (number_id, commits):
        started = time.monotonic()
        before_waiting(answered_in(GROUP_SECONDS * 4))

        assert len(commits) == 1
        assert commits[0] - started <= GROUP_SECONDS + 0.2
        assert committed_status(number_id) == WebhookStatus.IN_SYNC


@pytest.mark.parametrize("deferred", [False, True], ids=["savepoints", "deferred"])
def test_a_batch_with_a_transaction_open_commits_before_it_waits(app, deferred):
    number = make_number()
    number_id = number.id
    with grouped_saves(deferred=deferred), counted_commits() as commits:
        db.session.scalar(select(PhoneNumber.id).limit(1))  # a read opens the transaction
        number.webhook_status = WebhookStatus.IN_SYNC
        save()
        before_waiting(answered_in(GROUP_SECONDS / 10))

        assert len(commits) == 1
        assert committed_status(number_id) == WebhookStatus.IN_SYNC
