"""Every client method, sent through twilio-python to a Prism mock of Twilio's spec, is a valid request.

Prism answers with the spec's examples, so these tests check requests, not results (the sandbox tests do).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import requests

from harness.prism import PrismServer
from tests.twilio_client.helpers import CALL_SID, NUMBER_SID, STATUS_CALLBACK_URL, VOICE_URL
from webapp.config import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from webapp.twilio_client import TwilioClient

CALLS: dict[str, Callable[[TwilioClient], object]] = {
    "search_available_numbers": lambda c: c.search_available_numbers(
        area_code="415",
        contains="555*",
        sms=True,
        mms=True,
        limit=5,
        in_region="CA",
        in_postal_code="94103",
        near_number="+14155550100",
    ),
    "purchase_number": lambda c: c.purchase_number("+14155550100", "Acme Plumbing", VOICE_URL),
    "purchase_in_area_code": lambda c: c.purchase_in_area_code("415", "Acme Plumbing", VOICE_URL),
    "provision_number": lambda c: c.provision_number(
        "415", friendly_name="Acme Plumbing", voice_url=VOICE_URL
    ),
    "provision_number_anywhere": lambda c: c.provision_number(
        friendly_name="Acme Plumbing", voice_url=VOICE_URL
    ),
    "update_number_webhook": lambda c: c.update_number_webhook(NUMBER_SID, VOICE_URL),
    "fetch_number": lambda c: c.fetch_number(NUMBER_SID),
    "find_numbers": lambda c: c.find_numbers(friendly_name="Acme Plumbing", phone_number="+14155550100"),
    "list_numbers": lambda c: c.list_numbers(),
    "list_numbers_page": lambda c: c.list_numbers_page(),
    "release_number": lambda c: c.release_number(NUMBER_SID),
    "update_friendly_name": lambda c: c.update_friendly_name(NUMBER_SID, "switchboard:acme"),
    "make_call": lambda c: c.make_call("+14155550199", "+14155550100", VOICE_URL),
    "get_call": lambda c: c.get_call(CALL_SID),
    "make_call_with_twiml": lambda c: c.make_call("+14155550199", "+14155550100", twiml="<Response/>"),
    # Prism's example first page holds 2 calls and a next page URI that breaks the spec
    # (StartTime=2008-01-02): a limit of 2 keeps the library from following it.
    "list_calls": lambda c: c.list_calls(
        to="+14155550100", from_="+14155550199", started_after=datetime(2026, 1, 2, tzinfo=UTC), limit=2
    ),
    "list_calls_page": lambda c: c.list_calls_page(datetime(2026, 1, 2, tzinfo=UTC)),
    "list_messages": lambda c: c.list_messages("+14155550100"),
    "list_call_events": lambda c: c.list_call_events(CALL_SID),
    "list_alerts": lambda c: c.list_alerts(since=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    "fetch_alert": lambda c: c.fetch_alert(ALERT_SID),
    "list_events": lambda c: c.list_events(NUMBER_SID, since=datetime(2026, 1, 2, tzinfo=UTC)),
}
"""One call of each public client method of Twilio's 2010 API, with every optional parameter it sends."""

PRICING_CALLS: dict[str, Callable[[TwilioClient], object]] = {
    "fetch_number_prices": lambda c: c.fetch_number_prices("US"),
}
"""The client methods of Twilio's Pricing v1 API."""

MONITOR_OPERATIONS = {"list_alerts", "fetch_alert", "list_events"}
"""The operations sent to monitor.twilio.com, checked against the Monitor spec's own Prism mock."""

ALERT_SID = "NO" + "3c" * 16


def test_every_client_method_is_covered() -> None:
    public = {
        name
        for name, member in inspect.getmembers(TwilioClient, inspect.isfunction)
        if not name.startswith("_") and name != "close"
    }
    assert public == (set(CALLS) - {"make_call_with_twiml", "provision_number_anywhere"}) | set(PRICING_CALLS)


@pytest.mark.parametrize("number_type", ["toll-free", "mobile"])
def test_search_of_each_number_type_passes_twilio_spec(
    prism: PrismServer, make_client, number_type: str
) -> None:
    client = make_client(prism.base_url, max_attempts=1)

    client.search_available_numbers(number_type=number_type, contains="8**", limit=3)

    assert prism.requests_received() == 1
    assert prism.request_violations() == []


@pytest.mark.parametrize("operation", sorted(PRICING_CALLS))
def test_pricing_request_passes_twilio_spec(pricing_prism: PrismServer, make_client, operation: str) -> None:
    client = make_client(pricing_prism.base_url, max_attempts=1)

    PRICING_CALLS[operation](client)

    assert pricing_prism.requests_received() == 1
    assert pricing_prism.request_violations() == []


@pytest.mark.parametrize("status_callback_url", ["", STATUS_CALLBACK_URL], ids=["no-callback", "callback"])
@pytest.mark.parametrize("operation", sorted(set(CALLS) - MONITOR_OPERATIONS))
def test_request_passes_twilio_spec(
    prism: PrismServer, make_client, operation: str, status_callback_url: str
) -> None:
    client = make_client(prism.base_url, status_callback_url=status_callback_url, max_attempts=1)

    CALLS[operation](client)

    assert prism.requests_received() >= 1
    assert prism.request_violations() == []


@pytest.mark.parametrize("operation", sorted(MONITOR_OPERATIONS))
def test_monitor_request_passes_the_monitor_spec(
    monitor_prism: PrismServer, make_client, operation: str
) -> None:
    client = make_client(monitor_prism.base_url, max_attempts=1)

    CALLS[operation](client)

    assert monitor_prism.requests_received() >= 1
    assert monitor_prism.request_violations() == []


def test_prism_reports_a_request_outside_the_spec(prism: PrismServer) -> None:
    """The check above can fail: an empty StatusCallback is refused and reported."""
    url = f"{prism.base_url}/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/IncomingPhoneNumbers/{NUMBER_SID}.json"

    response = requests.post(
        url,
        data={"VoiceUrl": VOICE_URL, "StatusCallback": ""},
        auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
    )

    assert response.status_code == 422
    [violation] = prism.request_violations()
    assert "StatusCallback" in violation
