"""Injected faults: error statuses, hangs, connection resets, lost purchase answers, latency, counts."""

from __future__ import annotations

import time

import pytest
import requests
from click.testing import CliRunner
from twilio.base.exceptions import TwilioRestException

from harness.sandbox import SandboxProcess
from tests.sandbox.helpers import ERROR_KEYS, api_request, buy
from webapp.sandbox.cli import twilio_sandbox_command
from webapp.sandbox.faults import FaultInjector, FaultSpecError, parse_faults

PURCHASE = "POST /IncomingPhoneNumbers.json"


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (429, 20429), (502, 502)])
def test_status_fault_answers_a_twilio_error_and_buys_nothing(start_sandbox, status: int, code: int):
    box = start_sandbox(faults=f"{status}=1")

    answer = buy(box, AreaCode="415")

    assert answer.status_code == status
    assert set(answer.json()) == ERROR_KEYS
    assert (answer.json()["code"], answer.json()["status"]) == (code, status)
    assert "Retry-After" not in answer.headers
    assert box.owned_count() == 0
    assert box.request_count(PURCHASE) == 1


def test_429_carries_retry_after_when_asked(start_sandbox, make_rest_client):
    box = start_sandbox(faults="429=1,retry_after=2")

    with pytest.raises(TwilioRestException) as raised:
        make_rest_client(box).incoming_phone_numbers.create(area_code="415")

    assert (raised.value.status, raised.value.code) == (429, 20429)
    assert buy(box, AreaCode="415").headers["Retry-After"] == "2"


def test_reset_fault_drops_the_connection_without_buying(start_sandbox, make_rest_client):
    box = start_sandbox(faults="reset=1")

    # The reset reaches the client as a reset, or, when the request's last bytes are still unread on a busy
    # machine, as a connection closed without an answer: either way no answer came.
    with pytest.raises(requests.ConnectionError, match=r"reset|closed connection without response"):
        make_rest_client(box).incoming_phone_numbers.create(area_code="415", friendly_name="Lost")

    assert box.owned_count() == 0
    assert box.request_count(PURCHASE) == 1


def test_dropped_purchase_response_buys_one_number(start_sandbox, make_rest_client):
    box = start_sandbox(faults="drop=1")
    client = make_rest_client(box)

    with pytest.raises(requests.ConnectionError):
        client.incoming_phone_numbers.create(area_code="415", friendly_name="Dropped Co")

    assert [n["friendly_name"] for n in box.owned_numbers()] == ["Dropped Co"]
    reconciled = client.incoming_phone_numbers.list(friendly_name="Dropped Co")
    assert [n.phone_number for n in reconciled] == [box.owned_numbers()[0]["phone_number"]]


def test_drop_spares_everything_but_purchases(start_sandbox, make_rest_client):
    box = start_sandbox(faults="drop=1")
    client = make_rest_client(box)

    assert client.incoming_phone_numbers.list() == []
    assert client.available_phone_numbers("US").local.list(area_code=415, limit=1)
    assert client.messages.create(to="+14155550199", from_="+15005550006", body="x").status == "queued"


def test_timeout_fault_holds_the_answer_past_the_client_timeout(start_sandbox, make_rest_client):
    box = start_sandbox(faults="timeout=1,hang=2")
    client = make_rest_client(box, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        client.incoming_phone_numbers.create(area_code="415", friendly_name="Slow Co")

    assert time.monotonic() - started < 1.5
    # The request was carried out before the hang: what a caller must reconcile after a timeout.
    assert [n["friendly_name"] for n in box.owned_numbers()] == ["Slow Co"]


def test_timeout_fault_answers_after_the_hang(start_sandbox):
    box = start_sandbox(faults="timeout=1,hang=0.3")

    started = time.monotonic()
    answer = api_request(box, "GET", "/IncomingPhoneNumbers.json")

    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_latency_delays_every_api_request(start_sandbox):
    box = start_sandbox(latency_ms=250)

    started = time.monotonic()
    assert api_request(box, "GET", "/IncomingPhoneNumbers.json").status_code == 200

    assert time.monotonic() - started >= 0.25


def test_faults_can_target_a_method_and_path(start_sandbox):
    box = start_sandbox(faults="500=1,method=POST,path=/IncomingPhoneNumbers")

    assert api_request(box, "GET", "/IncomingPhoneNumbers.json").status_code == 200
    assert api_request(box, "GET", "/AvailablePhoneNumbers/US/Local.json").status_code == 200
    assert buy(box, AreaCode="415").status_code == 500
    message = {"To": "+14155550199", "From": "+15005550006", "Body": "x"}
    assert api_request(box, "POST", "/Messages.json", data=message).status_code == 201


def test_faults_change_at_run_time(sandbox: SandboxProcess):
    assert buy(sandbox, AreaCode="415").status_code == 201

    sandbox.set_faults("503=1")
    assert buy(sandbox, AreaCode="415").status_code == 503

    sandbox.set_faults("")
    assert buy(sandbox, AreaCode="415").status_code == 201
    assert sandbox.request_count(PURCHASE) == 3
    assert sandbox.owned_count() == 2


def test_faults_set_at_run_time_survive_a_restart(sandbox: SandboxProcess):
    sandbox.set_faults("500=1", latency_ms=10)

    sandbox.restart()

    assert buy(sandbox, AreaCode="415").status_code == 500
    assert sandbox.request_counts() == {PURCHASE: 1}


def test_a_seed_repeats_the_same_faults(start_sandbox):
    def statuses(box: SandboxProcess) -> list[int]:
        return [api_request(box, "GET", "/IncomingPhoneNumbers.json").status_code for _ in range(20)]

    first, second = start_sandbox(faults="500=0.5", seed=7), start_sandbox(faults="500=0.5", seed=7)

    drawn = statuses(first)
    assert drawn == statuses(second)
    assert set(drawn) == {200, 500}
    first.set_faults(seed=7)
    assert statuses(first) == drawn


def test_control_api_refuses_bad_fault_text(sandbox: SandboxProcess):
    answer = requests.put(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"faults": "500=2"},
        auth=(sandbox.account_sid, sandbox.auth_token),
        timeout=5,
    )
    unauthenticated = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=5)

    assert answer.status_code == 400
    assert "between 0 and 1" in answer.json()["message"]
    assert unauthenticated.status_code == 401
    assert sandbox.request_counts() == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("500", "is not key=value"),
        ("500=2", "between 0 and 1"),
        ("500=abc", "needs a number"),
        ("timeout=nan", "needs a number"),
        ("600=0.1", "Unknown fault '600'"),
        ("flood=0.1", "Unknown fault 'flood'"),
        ("500=0.6,503=0.6", "add up to 1.2"),
        ("reset=0.1,reset=0.2", "given twice"),
        ("hang=-1", "must not be negative"),
        ("callback_drop=0.6,callback_delay=0.6", "add up to 1.2"),
        ("callback_wait=-1", "must not be negative"),
    ],
)
def test_fault_text_errors_say_what_is_wrong(text: str, message: str):
    with pytest.raises(FaultSpecError, match=message):
        parse_faults(text)


def test_fault_text_round_trips():
    text = "429=0.1,500=0.2,timeout=0.05,reset=0.05,drop=0.05,hang=2,retry_after=1,method=POST,path=/Calls"

    assert parse_faults(text).describe() == text
    assert parse_faults("") == parse_faults(" , ")
    callbacks = "500=0.6,callback_drop=0.5,callback_duplicate=0.3,callback_delay=0.2,callback_wait=0.5"
    plan = parse_faults(callbacks)
    assert plan.describe() == callbacks and plan.rates == {"500": 0.6}


def test_fault_shares_are_exclusive_and_drop_hits_purchases_only():
    injector = FaultInjector(parse_faults("500=0.25,reset=0.25,drop=0.5"), seed=3)

    purchases = [injector.draw("POST", "/IncomingPhoneNumbers.json") for _ in range(2000)]
    reads = [injector.draw("GET", "/IncomingPhoneNumbers.json") for _ in range(2000)]

    assert None not in purchases
    assert 0.45 < purchases.count("drop") / 2000 < 0.55
    assert "drop" not in reads
    assert 0.2 < reads.count("500") / 2000 < 0.3


def test_cli_rejects_bad_faults_with_a_sentence():
    result = CliRunner().invoke(twilio_sandbox_command, ["--faults", "500=0.7,429=0.7"])

    assert result.exit_code == 2
    assert "Invalid value for '--faults': The fault rates add up to 1.4" in result.output
    assert "Traceback" not in result.output
