"""A batch's side-by-side calls when the job ends before taking every answer, and the interpreter's thread
switch interval while they go out."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from tests.factories import make_business
from tests.fixtures.sandbox import SandboxProcess
from tests.jobs.helpers import buy_at_sandbox
from webapp.jobs.running.side_by_side import SWITCH_SECONDS, SideBySide, TwilioCall
from webapp.twilio_client import TwilioNumber, concurrency_state

LIMIT = 2


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    """The jobs tests' settings with an account-wide limit of `LIMIT`: a batch sends `LIMIT` calls at once."""
    return {**app_settings, "TWILIO_MAX_CONCURRENCY": str(LIMIT)}


def fetch_call(sid: str) -> TwilioCall[TwilioNumber]:
    return lambda client: client.fetch_number(sid)


def test_a_batch_ended_early_waits_for_its_calls_on_the_wire_and_sends_no_more(sandbox: SandboxProcess, app):
    sids = [buy_at_sandbox(make_business()).sid for _ in range(3 * LIMIT)]
    sandbox.set_faults(latency_ms=500)
    sandbox.reset_stats()

    with pytest.raises(ConnectionError), SideBySide(lambda: {sid: fetch_call(sid) for sid in sids}) as batch:
        assert batch.take(sids[0]).sid == sids[0]
        raise ConnectionError("the database went away: the job ends with answers not taken")

    assert concurrency_state().in_flight == 0, "the calls on the wire were answered, their slots given back"
    sent = sandbox.stats()["requests"]
    assert LIMIT < sent < len(sids), f"the first answer and those on the wire, not the rest: {sent}"
    time.sleep(0.6)
    assert sandbox.stats()["requests"] == sent, "no call went out after the batch ended"


def test_a_batch_switches_threads_often_while_its_calls_go_out_and_restores_the_interval(
    sandbox: SandboxProcess, app
):
    sids = [buy_at_sandbox(make_business()).sid for _ in range(LIMIT)]
    before = sys.getswitchinterval()

    with SideBySide(lambda: {sid: fetch_call(sid) for sid in sids}) as batch:
        assert batch.take(sids[0]).sid == sids[0]
        assert sys.getswitchinterval() == pytest.approx(SWITCH_SECONDS)

    assert sys.getswitchinterval() == pytest.approx(before)
