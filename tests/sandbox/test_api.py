"""The sandbox answers the official twilio library like Twilio does, and keeps its state."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.base.page import Page
from twilio.rest import Client

from harness.sandbox import SandboxProcess
from tests.sandbox.helpers import ERROR_KEYS, api_request, buy
from webapp.sandbox.pool import MAGIC_NO_NUMBERS_AREA_CODE

PN_SID = re.compile(r"^PN[0-9a-f]{32}$")


def twilio_error(call: Callable[[], object]) -> TwilioRestException:
    """Return the TwilioRestException `call` raises."""
    with pytest.raises(TwilioRestException) as raised:
        call()
    return raised.value


def test_search_lists_numbers_for_sale_in_an_area_code(rest_client: Client):
    found = rest_client.available_phone_numbers("US").local.list(area_code=415, limit=5)

    assert [n.phone_number for n in found] == [f"+1415555010{i}" for i in range(5)]
    assert found[0].friendly_name == "(415) 555-0100"
    assert found[0].capabilities == {"voice": True, "sms": True, "mms": True, "fax": False}
    assert (found[0].locality, found[0].region, found[0].iso_country) == ("San Francisco", "CA", "US")


def test_search_filters_by_digits_and_capabilities(start_sandbox, make_rest_client):
    local = make_rest_client(start_sandbox(pool_size=10)).available_phone_numbers("US").local

    assert [n.phone_number for n in local.list(area_code=212, contains="5550103")] == ["+12125550103"]
    assert [n.phone_number for n in local.list(area_code=212, contains="555010*")][-1] == "+12125550109"
    sms_capable = local.list(area_code=212, sms_enabled=True)
    assert len(sms_capable) == 9
    assert "+12125550109" not in {n.phone_number for n in sms_capable}
    assert len(local.list(area_code=212, voice_enabled=True)) == 10


def test_search_with_nothing_to_offer_is_an_empty_list(sandbox: SandboxProcess, rest_client: Client):
    answer = api_request(
        sandbox,
        "GET",
        "/AvailablePhoneNumbers/US/Local.json",
        params={"AreaCode": MAGIC_NO_NUMBERS_AREA_CODE},
    )

    assert answer.status_code == 200
    assert answer.json()["available_phone_numbers"] == []
    assert rest_client.available_phone_numbers("US").local.list(area_code=MAGIC_NO_NUMBERS_AREA_CODE) == []


def test_bought_number_is_configured_and_fetchable(rest_client: Client):
    bought = rest_client.incoming_phone_numbers.create(
        phone_number="+16175550104",
        friendly_name="Acme Plumbing",
        voice_url="https://example.com/voice",
        voice_method="GET",
        status_callback="https://example.com/status",
        status_callback_method="POST",
        sms_url="https://example.com/sms",
    )

    assert PN_SID.match(bought.sid)
    assert (bought.phone_number, bought.friendly_name) == ("+16175550104", "Acme Plumbing")
    assert (bought.voice_url, bought.voice_method) == ("https://example.com/voice", "GET")
    assert (bought.status_callback, bought.sms_url) == (
        "https://example.com/status",
        "https://example.com/sms",
    )
    assert bought.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False}
    assert bought.date_created is not None and bought.date_created.tzinfo is not None
    fetched = rest_client.incoming_phone_numbers(bought.sid).fetch()
    assert (fetched.sid, fetched.voice_url, fetched.friendly_name) == (
        bought.sid,
        bought.voice_url,
        "Acme Plumbing",
    )


def test_purchase_by_area_code_takes_a_free_number_there(rest_client: Client):
    bought = rest_client.incoming_phone_numbers.create(area_code="312")

    assert bought.phone_number.startswith("+1312")
    assert bought.friendly_name == f"(312) 555-{bought.phone_number[-4:]}"
    assert bought.voice_url == ""


def test_bought_number_is_no_longer_for_sale(rest_client: Client):
    bought = rest_client.incoming_phone_numbers.create(area_code="206")

    for_sale = rest_client.available_phone_numbers("US").local.list(area_code=206)
    assert bought.phone_number not in {n.phone_number for n in for_sale}
    error = twilio_error(lambda: rest_client.incoming_phone_numbers.create(phone_number=bought.phone_number))
    assert (error.status, error.code) == (400, 21422)


def test_update_changes_the_voice_url_behind_the_app(rest_client: Client):
    number = rest_client.incoming_phone_numbers.create(area_code="303", voice_url="https://example.com/a")

    updated = rest_client.incoming_phone_numbers(number.sid).update(
        voice_url="https://example.com/b", friendly_name="Renamed"
    )

    assert (updated.voice_url, updated.friendly_name) == ("https://example.com/b", "Renamed")
    assert rest_client.incoming_phone_numbers(number.sid).fetch().voice_url == "https://example.com/b"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"friendly_name": "x" * 65}, 20001),
        ({"voice_url": "not a url"}, 21502),
        ({"voice_method": "PUT"}, 20001),
    ],
)
def test_malformed_settings_are_refused(rest_client: Client, params: dict, code: int):
    error = twilio_error(lambda: rest_client.incoming_phone_numbers.create(area_code="415", **params))

    assert (error.status, error.code) == (400, code)
    assert rest_client.incoming_phone_numbers.list() == []


def test_friendly_name_of_64_characters_is_accepted(rest_client: Client):
    bought = rest_client.incoming_phone_numbers.create(area_code="415", friendly_name="x" * 64)

    assert bought.friendly_name == "x" * 64


def test_list_filters_by_friendly_name_and_phone_number(rest_client: Client):
    numbers = rest_client.incoming_phone_numbers
    first = numbers.create(area_code="510", friendly_name="Business 1")
    numbers.create(area_code="510", friendly_name="Business 2")
    numbers.create(area_code="512", friendly_name="Business 1")

    assert [n.friendly_name for n in numbers.list(friendly_name="Business 1")] == ["Business 1"] * 2
    assert [n.sid for n in numbers.list(phone_number=first.phone_number)] == [first.sid]
    assert len(numbers.list(phone_number="+1510")) == 2
    assert numbers.list(friendly_name="Nobody") == []


def test_list_pages_through_every_number(sandbox: SandboxProcess, rest_client: Client):
    bought = [rest_client.incoming_phone_numbers.create(area_code="646").sid for _ in range(5)]

    listed = [n.sid for n in rest_client.incoming_phone_numbers.list(page_size=2)]

    assert listed == bought
    assert sandbox.request_count("GET /IncomingPhoneNumbers.json") == 3


def test_list_answer_holds_only_paging_keys_and_one_records_key(sandbox: SandboxProcess, rest_client: Client):
    for _ in range(3):
        rest_client.incoming_phone_numbers.create(area_code="617")

    answer = api_request(sandbox, "GET", "/IncomingPhoneNumbers.json", params={"PageSize": 2}).json()

    assert set(answer) - Page.META_KEYS == {"incoming_phone_numbers"}
    assert (answer["page"], answer["page_size"], answer["start"], answer["end"]) == (0, 2, 0, 1)
    assert answer["next_page_uri"].startswith(
        f"/2010-04-01/Accounts/{sandbox.account_sid}/IncomingPhoneNumbers.json?"
    )
    assert answer["previous_page_uri"] is None


def test_released_number_is_gone_and_back_in_the_pool(rest_client: Client):
    number = rest_client.incoming_phone_numbers.create(phone_number="+17025550100")

    assert rest_client.incoming_phone_numbers(number.sid).delete() is True

    for attempt in (
        lambda: rest_client.incoming_phone_numbers(number.sid).fetch(),
        lambda: rest_client.incoming_phone_numbers(number.sid).update(voice_url="https://example.com/x"),
        lambda: rest_client.incoming_phone_numbers(number.sid).delete(),
    ):
        error = twilio_error(attempt)
        assert (error.status, error.code) == (404, 20404)
    for_sale = rest_client.available_phone_numbers("US").local.list(area_code=702, limit=1)
    assert [n.phone_number for n in for_sale] == ["+17025550100"]


def test_unknown_sid_is_not_found(rest_client: Client):
    error = twilio_error(lambda: rest_client.incoming_phone_numbers("PN" + "0" * 32).fetch())

    assert (error.status, error.code) == (404, 20404)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"PhoneNumber": "+15005550000"}, 21422),
        ({"PhoneNumber": "+15005550001"}, 21421),
        ({"PhoneNumber": "415-555-0100"}, 21421),
        ({"PhoneNumber": "+19995550100"}, 21422),
        ({"AreaCode": MAGIC_NO_NUMBERS_AREA_CODE}, 21452),
        ({"AreaCode": "41"}, 21451),
        ({"AreaCode": "4155"}, 21451),
        ({}, 21450),
    ],
)
def test_purchase_refusals_carry_twilios_codes(sandbox: SandboxProcess, params: dict, code: int):
    answer = buy(sandbox, **params)

    assert answer.status_code == 400
    assert set(answer.json()) == ERROR_KEYS
    assert (answer.json()["code"], answer.json()["status"]) == (code, 400)
    assert answer.json()["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert sandbox.owned_count() == 0


def test_magic_test_inputs_succeed_like_a_test_account(sandbox: SandboxProcess, rest_client: Client):
    numbers = rest_client.incoming_phone_numbers
    first = numbers.create(phone_number="+15005550006")
    second = numbers.create(phone_number="+15005550006")
    by_area = numbers.create(area_code="500")

    assert first.phone_number == second.phone_number == "+15005550006"
    assert first.sid != second.sid
    assert by_area.phone_number.startswith("+1500")
    assert sandbox.owned_count() == 3


def test_area_code_runs_dry_and_refills_on_release(start_sandbox, make_rest_client):
    client = make_rest_client(start_sandbox(pool_size=2))
    numbers = client.incoming_phone_numbers
    first, _ = numbers.create(area_code="415"), numbers.create(area_code="415")

    error = twilio_error(lambda: numbers.create(area_code="415"))
    assert (error.status, error.code) == (400, 21452)
    assert client.available_phone_numbers("US").local.list(area_code=415) == []

    numbers(first.sid).delete()
    assert numbers.create(area_code="415").phone_number == first.phone_number


def test_pool_size_zero_offers_no_numbers_anywhere(start_sandbox, make_rest_client):
    box = start_sandbox(pool_size=0)
    client = make_rest_client(box)

    assert client.available_phone_numbers("US").local.list() == []
    assert twilio_error(lambda: client.incoming_phone_numbers.create(area_code="212")).code == 21452
    assert (
        twilio_error(lambda: client.incoming_phone_numbers.create(phone_number="+12125550100")).code == 21422
    )

    box.set_pool_size(1)
    assert [n.phone_number for n in client.available_phone_numbers("US").local.list(area_code=212)] == [
        "+12125550100"
    ]


def test_concurrent_purchases_never_hand_out_a_number_twice(start_sandbox):
    box = start_sandbox(pool_size=6)
    answers = []
    lock = threading.Lock()

    def purchase() -> None:
        answer = buy(box, AreaCode="404")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=purchase) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    bought = [a.json()["phone_number"] for a in answers if a.status_code == 201]
    assert len(bought) == len(set(bought)) == 6
    assert sorted(a.json()["code"] for a in answers if a.status_code != 201) == [21452] * 6
    assert box.owned_count() == 6


def test_wrong_credentials_are_refused_with_20003(sandbox: SandboxProcess, make_rest_client):
    client = make_rest_client(sandbox, auth_token="not-the-token")

    error = twilio_error(lambda: client.incoming_phone_numbers.create(area_code="415"))

    assert (error.status, error.code) == (401, 20003)
    no_auth = api_request(sandbox, "GET", "/IncomingPhoneNumbers.json", auth=("", ""))
    assert no_auth.status_code == 401
    assert no_auth.headers["WWW-Authenticate"].startswith("Basic")
    other_account = api_request(sandbox, "GET", "/IncomingPhoneNumbers.json", account_sid="AC" + "0" * 32)
    assert (other_account.status_code, other_account.json()["code"]) == (401, 20003)
    assert sandbox.owned_count() == 0


def test_state_survives_a_restart(sandbox: SandboxProcess, rest_client: Client):
    bought = rest_client.incoming_phone_numbers.create(area_code="718", friendly_name="Kept")

    sandbox.restart()

    fetched = rest_client.incoming_phone_numbers(bought.sid).fetch()
    assert (fetched.phone_number, fetched.friendly_name) == (bought.phone_number, "Kept")
    assert sandbox.owned_count() == 1
    again = twilio_error(lambda: rest_client.incoming_phone_numbers.create(phone_number=bought.phone_number))
    assert again.code == 21422
    assert "Twilio sandbox stopped" in sandbox.log()  # SIGTERM stops it cleanly, not mid-write


def test_calls_and_messages_go_out_from_owned_numbers(rest_client: Client):
    number = rest_client.incoming_phone_numbers.create(area_code="305")

    call = rest_client.calls.create(
        to="+14155550199", from_=number.phone_number, url="https://example.com/twiml"
    )
    message = rest_client.messages.create(to="+14155550199", from_=number.phone_number, body="Hello")

    assert re.match(r"^CA[0-9a-f]{32}$", call.sid) and call.status == "queued"
    assert (call.phone_number_sid, call.direction) == (number.sid, "outbound-api")
    fetched = rest_client.calls(call.sid).fetch()
    assert (fetched.sid, fetched.to, fetched._from) == (call.sid, "+14155550199", number.phone_number)
    assert re.match(r"^SM[0-9a-f]{32}$", message.sid)
    assert (message.status, message.body, message.num_segments) == ("queued", "Hello", "1")


def test_calls_and_messages_from_numbers_not_owned_are_refused(rest_client: Client):
    call = twilio_error(
        lambda: rest_client.calls.create(to="+14155550199", from_="+12125550100", url="https://example.com/t")
    )
    message = twilio_error(
        lambda: rest_client.messages.create(to="+14155550199", from_="+12125550100", body="x")
    )

    assert (call.status, call.code) == (400, 21210)
    assert (message.status, message.code) == (400, 21606)
    assert rest_client.messages.create(to="+14155550199", from_="+15005550006", body="x").status == "queued"
    assert twilio_error(lambda: rest_client.calls("CA" + "0" * 32).fetch()).code == 20404


def test_unknown_paths_and_methods_answer_twilio_errors(sandbox: SandboxProcess):
    unknown = api_request(sandbox, "GET", "/Nothing.json")
    wrong_method = api_request(sandbox, "DELETE", "/Messages.json")

    assert (unknown.status_code, unknown.json()["code"], set(unknown.json())) == (404, 20404, ERROR_KEYS)
    assert (wrong_method.status_code, set(wrong_method.json())) == (405, ERROR_KEYS)


def test_requests_are_counted_by_template(sandbox: SandboxProcess, rest_client: Client):
    number = rest_client.incoming_phone_numbers.create(area_code="213")
    rest_client.incoming_phone_numbers(number.sid).fetch()
    rest_client.incoming_phone_numbers(number.sid).update(voice_url="https://example.com/v")
    rest_client.incoming_phone_numbers.list()

    assert sandbox.request_counts() == {
        "GET /IncomingPhoneNumbers.json": 1,
        "GET /IncomingPhoneNumbers/{Sid}.json": 1,
        "POST /IncomingPhoneNumbers.json": 1,
        "POST /IncomingPhoneNumbers/{Sid}.json": 1,
    }
    assert [n["sid"] for n in sandbox.owned_numbers()] == [number.sid]
    sandbox.reset("counts")
    assert sandbox.request_counts() == {}
    assert sandbox.owned_count() == 1
    sandbox.reset("state")
    assert sandbox.owned_count() == 0


def test_each_request_is_logged_without_credentials(sandbox: SandboxProcess, rest_client: Client):
    rest_client.incoming_phone_numbers.create(area_code="415")

    log = sandbox.log()

    assert f"POST /2010-04-01/Accounts/{sandbox.account_sid}/IncomingPhoneNumbers.json 201" in log
    assert sandbox.auth_token not in log
    assert "Basic " not in log
