"""A batch's grouped saves on PostgreSQL: an undone step leaves the steps saved before it, with or without
savepoints (a re-sync batch's steps write nothing until the group commits)."""

from __future__ import annotations

import pytest

from tests.factories import make_number
from webapp.extensions import db
from webapp.jobs.running.saving import grouped_saves, save, undo
from webapp.models import WebhookStatus

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
