"""Every client method, sent through twilio-python to a Prism mock of Twilio's spec, is a valid request.

Prism answers with the spec's examples, so these tests check requests, not results (the sandbox tests do).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from harness.prism import PrismServer
from tests.twilio_client.helpers import CALL_SID, NUMBER_SID, STATUS_CALLBACK_URL, VOICE_URL
from webapp.config import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from webapp.twilio_client import ApiError, SearchArea, TwilioClient
from webapp.twilio_client.configuration import NumberConfiguration

CALLS: dict[str, Callable[[TwilioClient, Any], object]] = {
    "search_available_numbers": lambda c, config: c.search_available_numbers(
        area_code="415",
        contains="555*",
        sms=True,
        mms=True,
        limit=5,
        in_region="CA",
        in_postal_code="94103",
        near_number="+14155550100",
        distance=50,
    ),
    "purchase_number": lambda c, config: c.purchase_number("+14155550100", "Acme Plumbing", config),
    "purchase_in_area_code": lambda c, config: c.purchase_in_area_code("415", "Acme Plumbing", config),
    "provision_number": lambda c, config: c.provision_number(
        "415", friendly_name="Acme Plumbing", configuration=config
    ),
    "provision_number_anywhere": lambda c, config: c.provision_number(
        friendly_name="Acme Plumbing", configuration=config
    ),
    "update_number_webhook": lambda c, config: c.update_number_webhook(NUMBER_SID, config),
    "fetch_number": lambda c, config: c.fetch_number(NUMBER_SID),
    "find_numbers": lambda c, config: c.find_numbers(
        friendly_name="Acme Plumbing", phone_number="+14155550100"
    ),
    "list_numbers": lambda c, config: c.list_numbers(),
    "list_numbers_page": lambda c, config: c.list_numbers_page(),
    "release_number": lambda c, config: c.release_number(NUMBER_SID),
    "update_friendly_name": lambda c, config: c.update_friendly_name(NUMBER_SID, "switchboard:acme"),
    "make_call": lambda c, config: c.make_call("+14155550199", "+14155550100", VOICE_URL),
    "get_call": lambda c, config: c.get_call(CALL_SID),
    "make_call_with_twiml": lambda c, config: c.make_call(
        "+14155550199", "+14155550100", twiml="<Response/>"
    ),
    "provision_number_nearby": lambda c, config: c.provision_number(
        friendly_name="Acme Plumbing", configuration=config, area=SearchArea("+16285550100", 50)
    ),
    "provision_number_in_region": lambda c, config: c.provision_number(
        friendly_name="Acme Plumbing", configuration=config, area=SearchArea(region="CA")
    ),
    # Prism's example first page holds 2 calls and a next page URI that breaks the spec
    # (StartTime=2008-01-02): a limit of 2 keeps the library from following it.
    "list_calls": lambda c, config: c.list_calls(
        to="+14155550100", from_="+14155550199", started_after=datetime(2026, 1, 2, tzinfo=UTC), limit=2
    ),
    "list_calls_page": lambda c, config: c.list_calls_page(datetime(2026, 1, 2, tzinfo=UTC)),
    "list_messages": lambda c, config: c.list_messages("+14155550100"),
    "list_call_events": lambda c, config: c.list_call_events(CALL_SID),
    "list_alerts": lambda c, config: c.list_alerts(since=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    "fetch_alert": lambda c, config: c.fetch_alert(ALERT_SID),
    "list_events": lambda c, config: c.list_events(NUMBER_SID, since=datetime(2026, 1, 2, tzinfo=UTC)),
    "create_emergency_address": lambda c, config: c.create_emergency_address(
        "switchboard:acme", "Acme Plumbing", "1 Main St", "Springfield", "IL", "62701"
    ),
    "find_addresses": lambda c, config: c.find_addresses("switchboard:acme"),
    "assign_emergency_address": lambda c, config: c.assign_emergency_address(NUMBER_SID, ADDRESS_SID),
    "remove_emergency_address": lambda c, config: c.remove_emergency_address(NUMBER_SID),
}
"""One call of each public client method of Twilio's 2010 API, with every optional parameter it sends."""

PRICING_CALLS: dict[str, Callable[[TwilioClient, Any], object]] = {
    "fetch_number_prices": lambda c, config: c.fetch_number_prices("US"),
}
"""The client methods of Twilio's Pricing v1 API."""

MONITOR_OPERATIONS = {"list_alerts", "fetch_alert", "list_events"}
"""The operations sent to monitor.twilio.com, checked against the Monitor spec's own Prism mock."""

ALERT_SID = "NO" + "3c" * 16
ADDRESS_SID = "AD" + "4d" * 16

OUTSIDE_THE_SPEC = {"remove_emergency_address"}
"""Requests Twilio documents but its spec refuses, each checked on its own below."""


def test_every_client_method_is_covered() -> None:
    public = {
        name
        for name, member in inspect.getmembers(TwilioClient, inspect.isfunction)
        if not name.startswith("_") and name != "close"
    }
    variants = {
        "make_call_with_twiml",
        "provision_number_anywhere",
        "provision_number_nearby",
        "provision_number_in_region",
    }
    assert public == (set(CALLS) - variants) | set(PRICING_CALLS)


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

    PRICING_CALLS[operation](client, None)

    assert pricing_prism.requests_received() == 1
    assert pricing_prism.request_violations() == []


CONFIGURATIONS = {
    "voice-url-only": NumberConfiguration(VOICE_URL),
    "every-field": NumberConfiguration(
        VOICE_URL,
        status_callback=STATUS_CALLBACK_URL,
        voice_fallback_url="https://fallback.example.com/voice",
        sms_url="https://switchboard.example.com/sms",
    ),
}
"""What purchases and updates set: the voice URL alone, or every optional field as well."""


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
@pytest.mark.parametrize("operation", sorted(set(CALLS) - MONITOR_OPERATIONS - OUTSIDE_THE_SPEC))
def test_request_passes_twilio_spec(
    prism: PrismServer, make_client, operation: str, configuration: str
) -> None:
    client = make_client(prism.base_url, max_attempts=1)

    CALLS[operation](client, CONFIGURATIONS[configuration])

    assert prism.requests_received() >= 1
    assert prism.request_violations() == []


@pytest.mark.parametrize("operation", sorted(MONITOR_OPERATIONS))
def test_monitor_request_passes_the_monitor_spec(
    monitor_prism: PrismServer, make_client, operation: str
) -> None:
    client = make_client(monitor_prism.base_url, max_attempts=1)

    CALLS[operation](client, None)

    assert monitor_prism.requests_received() >= 1
    assert monitor_prism.request_violations() == []


def test_removing_an_emergency_address_breaks_only_the_spec_s_address_sid_pattern(
    prism: PrismServer, make_client
) -> None:
    """Twilio documents an empty EmergencyAddressSid as the way to remove a number's emergency address ("Set
    Emergency Address to Null", its emergency calling API pages); the spec's pattern (AD + 32 hex digits)
    does not allow it, so Prism refuses that one field and nothing else."""
    client = make_client(prism.base_url, max_attempts=1)

    with pytest.raises(ApiError):
        client.remove_emergency_address(NUMBER_SID)

    [violation] = prism.request_violations()
    assert "EmergencyAddressSid" in violation


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


def test_clearing_an_application_or_trunk_breaks_only_the_sid_lengths_of_twilio_spec(
    prism: PrismServer, make_client
) -> None:
    """Twilio takes an empty VoiceApplicationSid or TrunkSid as clearing it; its spec asks for an SID
    (minLength 34 and the pattern), the one allowance for the re-sync that clears them (sent only to a
    number last seen with one). Any other violation fails."""
    client = make_client(prism.base_url, max_attempts=1)

    with pytest.raises(ApiError):  # Prism answers the request it calls invalid with a 422
        client.update_number_webhook(NUMBER_SID, CONFIGURATIONS["every-field"], clear_routing=True)

    [violation] = prism.request_violations()
    reasons = {line.split("error", 1)[1].strip() for line in violation.splitlines() if "Request body" in line}
    assert reasons == {
        "Request body property VoiceApplicationSid must NOT have fewer than 34 characters",
        'Request body property VoiceApplicationSid must match pattern "^AP[0-9a-fA-F]{32}$"',
        "Request body property TrunkSid must NOT have fewer than 34 characters",
        'Request body property TrunkSid must match pattern "^TK[0-9a-fA-F]{32}$"',
    }
