"""Searching for a number to buy, renaming one and reading prices, through the client and the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.fixtures.sandbox import SandboxProcess
from tests.twilio_client.helpers import VOICE_URL
from webapp.twilio_client import NotFound, NumberPrices, TwilioClient
from webapp.twilio_client.configuration import NumberConfiguration


@pytest.fixture
def client(make_client, sandbox: SandboxProcess) -> TwilioClient:
    return make_client(sandbox.base_url)


@pytest.mark.parametrize(
    ("number_type", "prefixes"),
    [("local", ("+1206555",)), ("toll-free", ("+1800555",)), ("mobile", ("+1206556",))],
)
def test_search_offers_the_type_of_number_asked_for(
    client: TwilioClient, number_type: str, prefixes: tuple[str, ...]
) -> None:
    found = client.search_available_numbers(number_type=number_type, limit=3)

    assert [n.phone_number[:8] for n in found] == [prefixes[0]] * 3


def test_toll_free_numbers_have_no_locality(client: TwilioClient) -> None:
    [found] = client.search_available_numbers(number_type="toll-free", limit=1)

    assert (found.locality, found.region, found.postal_code) == (None, None, None)


def test_search_by_region_postal_code_and_pattern(client: TwilioClient) -> None:
    in_texas = client.search_available_numbers(in_region="TX", limit=5)
    in_brooklyn = client.search_available_numbers(in_postal_code="11201", limit=5)

    assert {(n.locality, n.region) for n in in_texas} == {("Austin", "TX")}
    assert {n.postal_code for n in in_brooklyn} == {"11201"}
    assert all(n.needs_address for n in in_brooklyn)
    assert [
        n.phone_number for n in client.search_available_numbers(contains="*****0123", area_code="212")
    ] == ["+12125550123"]


def test_search_near_a_number_keeps_to_the_area(client: TwilioClient) -> None:
    near_brooklyn = client.search_available_numbers(near_number="+17185550100", limit=30)

    assert {n.phone_number[2:5] for n in near_brooklyn} <= {"212", "646", "718"}
    assert {n.region for n in near_brooklyn} == {"NY"}


def test_search_near_a_sold_out_area_code_finds_the_numbers_within_the_distance(client: TwilioClient) -> None:
    near_628 = client.search_available_numbers(near_number="+16285550100", distance=50, limit=30)
    near_530 = client.search_available_numbers(near_number="+15305550100", distance=50, limit=30)
    within_200_miles_of_530 = client.search_available_numbers(
        near_number="+15305550100", distance=200, limit=30
    )

    assert client.search_available_numbers(area_code="628") == []
    assert near_628 and {n.phone_number[2:5] for n in near_628} <= {"415", "500", "510"}
    assert near_530 == []
    assert within_200_miles_of_530 and {n.region for n in within_200_miles_of_530} == {"CA"}


def test_search_with_capabilities(client: TwilioClient) -> None:
    found = client.search_available_numbers(area_code="212", sms=True, mms=True, limit=30)

    assert found and all(n.capabilities["sms"] and n.capabilities["mms"] for n in found)
    assert "+12125550109" not in {n.phone_number for n in found}


def test_search_answers_at_most_thirty_whatever_the_limit(client: TwilioClient) -> None:
    assert len(client.search_available_numbers(limit=100)) == 30


def test_a_searched_number_can_be_bought_by_its_number(client: TwilioClient, sandbox: SandboxProcess) -> None:
    [chosen] = client.search_available_numbers(number_type="toll-free", contains="888", limit=1)

    bought = client.purchase_number(chosen.phone_number, "switchboard:chosen", NumberConfiguration(VOICE_URL))

    assert bought.phone_number == chosen.phone_number
    assert chosen.phone_number not in {
        n.phone_number for n in client.search_available_numbers(number_type="toll-free", contains="888")
    }


def test_update_friendly_name_renames_the_number_at_twilio(
    client: TwilioClient, sandbox: SandboxProcess
) -> None:
    bought = client.purchase_number("+14155550100", "switchboard:first", NumberConfiguration(VOICE_URL))

    renamed = client.update_friendly_name(bought.sid, "switchboard:second")

    assert renamed.friendly_name == "switchboard:second"
    assert client.find_numbers(friendly_name="switchboard:second") == [renamed]
    assert renamed.voice_url == VOICE_URL


def test_update_friendly_name_of_a_released_number_is_not_found(client: TwilioClient) -> None:
    bought = client.purchase_number("+14155550100", "switchboard:first", NumberConfiguration(VOICE_URL))
    client.release_number(bought.sid)

    with pytest.raises(NotFound):
        client.update_friendly_name(bought.sid, "switchboard:second")


def test_bad_search_filters_are_refused_before_any_request(
    client: TwilioClient, sandbox: SandboxProcess
) -> None:
    for bad in (
        {"number_type": "landline"},
        {"in_region": "California"},
        {"in_postal_code": "9"},
        {"near_number": "415-555-0100"},
        {"near_number": "+14155550100", "distance": 501},
        {"distance": 50},
    ):
        with pytest.raises(ValueError):
            client.search_available_numbers(**bad)

    assert sandbox.request_counts() == {}


def test_number_prices_come_from_the_pricing_api(client: TwilioClient, sandbox: SandboxProcess) -> None:
    prices = client.fetch_number_prices("US")

    assert prices == NumberPrices(
        "US", "USD", {"local": Decimal("1.15"), "toll free": Decimal("2.15"), "mobile": Decimal("1.15")}
    )
    assert sandbox.request_count("GET /v1/PhoneNumbers/Countries/{IsoCountry}") == 1
