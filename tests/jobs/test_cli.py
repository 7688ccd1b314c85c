"""The `worker` and `numbers` commands: enqueueing, --wait, and clear refusals of bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.workers import worker_environment
from tests.factories import make_business, make_number
from tests.jobs.helpers import ELSEWHERE, VOICE_URL, activities, buy_at_sandbox, count, numbers_of, record
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.jobs.enqueue.queue import get_queue
from webapp.models import Activity, ActivityStatus, BusinessStatus, WebhookStatus
from webapp.twilio_client import get_client


def invoke(runner, *args: str):
    return runner.invoke(args=["numbers", *args])


def test_provision_by_name_waits_and_reports_the_number(app, runner, sandbox, start_worker):
    business = make_business(name="Acme Plumbing", preferred_area_code="212")
    start_worker()

    result = invoke(runner, "provision", "Acme Plumbing", "--wait")

    assert result.exit_code == 0, result.output
    [number] = numbers_of(business.id)
    assert "provision succeeded" in result.output and number.e164 in result.output


def test_provision_without_wait_prints_the_activity_id(app, runner, sandbox):
    business = make_business(preferred_area_code="212")

    result = invoke(runner, "provision", str(business.id), "--area-code", "415")

    assert result.exit_code == 0, result.output
    activity = db.session.scalars(db.select(Activity)).one()
    assert result.output.strip() == f"Activity {activity.id} provision queued"
    assert activity.result == {"requested_area_code": "415"}


def test_provision_wait_exits_non_zero_with_the_error(app, runner, sandbox, start_worker):
    sandbox.set_pool_size(0)
    make_business(name="Nowhere Inc", preferred_area_code="415")
    start_worker()

    result = invoke(runner, "provision", "Nowhere Inc", "--wait")

    assert result.exit_code == 1
    assert "provision failed: No number could be bought" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["provision", "No Such Business"], "No business has the id or name 'No Such Business'"),
        (["provision", "00000000-0000-0000-0000-000000000000"], "No business has the id or name"),
        (["provision", "Trial Co"], "Trial Co is trial: only active businesses get a number"),
        (["provision", "Numbered Co"], "Numbered Co already has the number"),
        (["provision", "Twins"], "Several businesses are named 'Twins'"),
        (["provision", "Active Co", "--area-code", "123"], "Area code must be 3 digits"),
        (["resync"], "Give NUMBER(s), --all or --drifted (exactly one of them)"),
        (["resync", "--all", "--drifted"], "exactly one of them"),
        (["resync", "555-0100"], "must have 10 digits"),
        (["resync", "+44 20 7946 0958"], "not a US number"),
        (["resync", "(212) 555-0199"], "No business has the number '(212) 555-0199'"),
        (["resync", "PN" + "0" * 32], "No business has the number 'PN000"),
        (["check-webhooks", "not a number"], "is not a phone number"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, runner, args, message):
    make_business(name="Trial Co", status=BusinessStatus.TRIAL)
    make_business(name="Active Co")
    make_number(make_business(name="Numbered Co"))
    make_business(name="Twins")
    make_business(name="Twins")

    result = invoke(runner, *args)

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert count(Activity) == 0


def test_resync_accepts_numbers_in_any_format_and_sids(app, runner, sandbox, start_worker):
    rows = []
    for _ in range(2):
        business = make_business()
        rows.append(record(business, buy_at_sandbox(business, voice_url=ELSEWHERE)))
    national = f"({rows[0].e164[2:5]}) {rows[0].e164[5:8]}-{rows[0].e164[8:]}"
    start_worker()

    result = invoke(runner, "resync", national, rows[1].twilio_sid, "--wait")

    assert result.exit_code == 0, result.output
    assert result.output.count("webhook_resync succeeded") == 2
    for row in rows:
        assert get_client().fetch_number(row.twilio_sid).voice_url == VOICE_URL


def test_check_then_resync_drifted_repairs_everything(app, runner, sandbox, start_worker):
    business = make_business()
    row = record(business, buy_at_sandbox(business, voice_url=ELSEWHERE))
    start_worker()

    checked = invoke(runner, "check-webhooks", "--wait")
    assert checked.exit_code == 0, checked.output
    assert "'drifted': 1" in checked.output
    assert "orphans=0" in checked.output and "pages=1" in checked.output and "next_page" not in checked.output
    repaired = invoke(runner, "resync", "--drifted", "--wait")

    assert repaired.exit_code == 0, repaired.output
    assert "resync_drifted succeeded" in repaired.output and "webhook_resync succeeded" in repaired.output
    db.session.rollback()
    assert db.session.get(type(row), row.id).webhook_status == WebhookStatus.IN_SYNC


def test_resync_all_records_one_activity_per_number_in_batched_jobs(app, runner):
    numbers = [make_number() for _ in range(3)]

    result = invoke(runner, "resync", "--all")

    assert result.exit_code == 0, result.output
    assert result.output.count("webhook_resync queued") == 3
    resyncs = activities()
    assert sorted(a.phone_number_id for a in resyncs) == sorted(n.id for n in numbers)
    assert len({a.rq_job_id for a in resyncs}) == 1  # one RQ job for the batch, not one per number
    assert get_queue().count == 1


def test_worker_burst_runs_the_queue_and_exits(app, app_settings, sandbox):
    activity = enqueue_provision(make_business(), None)

    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=PROJECT_ROOT,
        env=worker_environment(app_settings, {}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 0, finished.stderr
    db.session.rollback()
    assert db.session.get(Activity, activity.id).status == ActivityStatus.SUCCEEDED
    assert app_settings["SECRET_KEY"] not in finished.stderr


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["numbers", "--help"], "keep their configuration at Twilio in sync"),
        (["numbers", "provision", "--help"], "its UUID or exact name"),
        (["numbers", "resync", "--help"], "--drifted"),
        (["numbers", "check-webhooks", "--help"], "drifted"),
        (["numbers", "orphans", "--help"], "taken only with --adopt --force"),
        (["worker", "--help"], "delayed retries"),
    ],
)
def test_commands_explain_themselves(app, runner, args, phrase):
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and phrase in " ".join(result.output.split())
