"""Each error class from a real HTTP answer of the faulty sandbox, and how many requests each one costs."""

from __future__ import annotations

import pytest

from harness.sandbox import SandboxProcess
from tests.twilio_client.helpers import NUMBER_SID, VOICE_URL, HealingSleep, RecordingSleep
from webapp.twilio_client import ApiError, NotFound, RateLimited, TwilioUnavailable
from webapp.twilio_client.configuration import NumberConfiguration

FETCH = "GET /IncomingPhoneNumbers/{Sid}.json"
SEARCH = "GET /AvailablePhoneNumbers/{Country}/Local.json"
UPDATE = "POST /IncomingPhoneNumbers/{Sid}.json"


@pytest.mark.parametrize(
    ("faults", "error_class", "status", "code"),
    [
        ("400=1.0", ApiError, 400, 400),
        ("404=1.0", NotFound, 404, 404),
        ("422=1.0", ApiError, 422, 422),
    ],
)
def test_client_errors_are_not_retried(
    make_client, start_sandbox, faults: str, error_class: type, status: int, code: int
) -> None:
    sandbox: SandboxProcess = start_sandbox(faults)
    client = make_client(sandbox.base_url)

    with pytest.raises(error_class) as raised:
        client.update_number_webhook(NUMBER_SID, NumberConfiguration(VOICE_URL))

    assert type(raised.value) is error_class
    assert (raised.value.status, raised.value.code, raised.value.retryable) == (status, code, False)
    assert sandbox.request_count(UPDATE) == 1


@pytest.mark.parametrize(("faults", "status", "code"), [("500=1.0", 500, 20500), ("503=1.0", 503, 20503)])
def test_server_errors_are_retried_up_to_max_attempts(
    make_client, start_sandbox, sleep: RecordingSleep, faults: str, status: int, code: int
) -> None:
    sandbox: SandboxProcess = start_sandbox(faults)
    client = make_client(sandbox.base_url, max_attempts=3, backoff_seconds=0.2, jitter=lambda: 0.99)

    with pytest.raises(TwilioUnavailable) as raised:
        client.fetch_number(NUMBER_SID)

    assert (raised.value.status, raised.value.code, raised.value.ambiguous) == (status, code, True)
    assert sandbox.request_count(FETCH) == 3
    assert sleep.waits == pytest.approx([0.198, 0.396]), "backoff doubles between attempts"


def test_server_error_then_recovery_succeeds(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("503=1.0")
    client = make_client(sandbox.base_url, sleep=HealingSleep(sandbox=sandbox))

    assert client.search_available_numbers(area_code="415", limit=1)
    assert sandbox.request_count(SEARCH) == 2


def test_rate_limit_honours_retry_after(make_client, start_sandbox, sleep: RecordingSleep) -> None:
    sandbox: SandboxProcess = start_sandbox("429=1.0,retry_after=2")
    client = make_client(sandbox.base_url, max_attempts=3, retry_after_cap=30.0)

    with pytest.raises(RateLimited) as raised:
        client.fetch_number(NUMBER_SID)

    assert (raised.value.status, raised.value.code, raised.value.retry_after) == (429, 20429, 2.0)
    assert sandbox.request_count(FETCH) == 3
    assert sleep.waits == [2.0, 2.0]


def test_retry_after_is_capped(make_client, start_sandbox, sleep: RecordingSleep) -> None:
    sandbox: SandboxProcess = start_sandbox("429=1.0,retry_after=120")
    client = make_client(sandbox.base_url, max_attempts=2, retry_after_cap=5.0)

    with pytest.raises(RateLimited):
        client.fetch_number(NUMBER_SID)

    assert sleep.waits == [5.0]


def test_rate_limit_on_a_list_call_reads_retry_after_from_the_page(
    make_client, start_sandbox, sleep: RecordingSleep
) -> None:
    sandbox: SandboxProcess = start_sandbox("429=1.0,retry_after=3")
    client = make_client(sandbox.base_url, max_attempts=2)

    with pytest.raises(RateLimited) as raised:
        client.search_available_numbers(area_code="415")

    assert (raised.value.status, raised.value.code, raised.value.retry_after) == (429, 20429, 3.0)
    assert sandbox.request_count(SEARCH) == 2
    assert sleep.waits == [3.0]


def test_rate_limit_without_retry_after_backs_off_on_its_own(
    make_client, start_sandbox, sleep: RecordingSleep
) -> None:
    sandbox: SandboxProcess = start_sandbox("429=1.0")
    client = make_client(sandbox.base_url, max_attempts=3, backoff_seconds=0.1, jitter=lambda: 0.5)

    with pytest.raises(RateLimited) as raised:
        client.fetch_number(NUMBER_SID)

    assert raised.value.retry_after is None
    assert sleep.waits == pytest.approx([0.05, 0.1])


def test_read_timeout_is_an_ambiguous_unavailable(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("timeout=1.0,hang=2")
    client = make_client(sandbox.base_url, read_timeout=0.3, max_attempts=2)

    with pytest.raises(TwilioUnavailable, match="did not answer in time") as raised:
        client.fetch_number(NUMBER_SID)

    assert (raised.value.status, raised.value.ambiguous, raised.value.method) == (None, True, "GET")
    assert sandbox.request_count(FETCH) == 2


def test_connection_reset_is_an_ambiguous_unavailable(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("reset=1.0")
    client = make_client(sandbox.base_url, max_attempts=3)

    with pytest.raises(TwilioUnavailable, match="connection to Twilio failed") as raised:
        client.update_number_webhook(NUMBER_SID, NumberConfiguration(VOICE_URL))

    assert raised.value.ambiguous
    assert sandbox.request_count(UPDATE) == 3


def test_a_call_is_not_placed_twice_after_an_ambiguous_failure(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("500=1.0,method=POST,path=/Calls.json")
    client = make_client(sandbox.base_url)

    with pytest.raises(TwilioUnavailable):
        client.make_call("+14155550199", "+15005550006", VOICE_URL)

    assert sandbox.request_count("POST /Calls.json") == 1
