"""A purchase is not idempotent: after an ambiguous failure it is looked up before it is sent again."""

from __future__ import annotations

import pytest

from harness.sandbox import SandboxProcess
from tests.twilio_client.helpers import VOICE_URL, HealingSleep
from webapp.twilio_client import TwilioUnavailable
from webapp.twilio_client.configuration import NumberConfiguration

PURCHASE = "POST /IncomingPhoneNumbers.json"
LIST = "GET /IncomingPhoneNumbers.json"
ONLY_PURCHASES = "method=POST,path=/IncomingPhoneNumbers.json"


def test_dropped_purchase_response_buys_one_number(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("drop=1.0")
    client = make_client(sandbox.base_url, sleep=HealingSleep(sandbox=sandbox))

    number = client.provision_number(
        "415", friendly_name="Acme Plumbing", configuration=NumberConfiguration(VOICE_URL)
    )

    assert sandbox.owned_numbers() == [
        {"sid": number.sid, "phone_number": number.phone_number, "friendly_name": "Acme Plumbing"}
    ]
    assert sandbox.request_count(PURCHASE) == 1
    assert sandbox.request_count(LIST) == 1
    assert (number.voice_url, number.voice_method) == (VOICE_URL, "POST")


def test_dropped_purchase_is_adopted_even_while_drops_go_on(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("drop=1.0")
    client = make_client(sandbox.base_url)

    number = client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))

    assert number.phone_number == "+14155550100"
    assert sandbox.owned_count() == 1
    assert sandbox.request_count(PURCHASE) == 1


def test_purchase_lost_before_it_was_carried_out_is_sent_again_once(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox(f"reset=1.0,{ONLY_PURCHASES}")
    client = make_client(sandbox.base_url, sleep=HealingSleep(sandbox=sandbox))

    number = client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))

    assert [owned["sid"] for owned in sandbox.owned_numbers()] == [number.sid]
    assert sandbox.request_count(PURCHASE) == 2
    assert sandbox.request_count(LIST) == 1


def test_same_friendly_name_on_another_number_is_not_adopted(make_client, start_sandbox) -> None:
    """A business may own several numbers under one name: the lookup also matches the phone number."""
    sandbox: SandboxProcess = start_sandbox()
    client = make_client(sandbox.base_url, sleep=HealingSleep(sandbox=sandbox))
    first = client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))
    sandbox.set_faults(f"reset=1.0,{ONLY_PURCHASES}")

    second = client.purchase_number("+14155550101", "Acme Plumbing", NumberConfiguration(VOICE_URL))

    assert second.phone_number == "+14155550101"
    assert {owned["sid"] for owned in sandbox.owned_numbers()} == {first.sid, second.sid}


def test_dropped_purchase_in_an_area_code_never_adopts_a_number_the_name_already_had(
    make_client, start_sandbox
) -> None:
    """Replacing a number buys a second one under the business's name: its lost answer is the new one."""
    sandbox: SandboxProcess = start_sandbox()
    client = make_client(sandbox.base_url, sleep=HealingSleep(sandbox=sandbox))
    old = client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))
    sandbox.set_faults(f"drop=1.0,{ONLY_PURCHASES}")

    new = client.purchase_in_area_code(
        "415", "Acme Plumbing", NumberConfiguration(VOICE_URL), owned=(old.sid,)
    )

    assert new.sid != old.sid
    assert new.phone_number.startswith("+1415")
    assert {owned["sid"] for owned in sandbox.owned_numbers()} == {old.sid, new.sid}
    assert sandbox.request_count(PURCHASE) == 2  # the old number's, and the new one's sent once
    assert sandbox.request_count(LIST) == 1


def test_rate_limited_purchase_is_resent_without_a_lookup(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox(f"429=1.0,{ONLY_PURCHASES}")
    client = make_client(sandbox.base_url, sleep=HealingSleep(sandbox=sandbox))

    client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))

    assert sandbox.request_count(PURCHASE) == 2
    assert sandbox.request_count(LIST) == 0
    assert sandbox.owned_count() == 1


def test_purchase_that_cannot_be_confirmed_says_it_may_have_gone_through(make_client, start_sandbox) -> None:
    sandbox: SandboxProcess = start_sandbox("500=1.0")
    client = make_client(sandbox.base_url, max_attempts=2)

    with pytest.raises(TwilioUnavailable, match="may have gone through") as raised:
        client.purchase_number("+14155550100", "Acme Plumbing", NumberConfiguration(VOICE_URL))

    assert raised.value.ambiguous
    assert sandbox.request_count(PURCHASE) == 1
