"""The Calls list the backfill walks: filtered by `StartTime>`, paged with `next_page_uri` that keeps the
filter, every page valid against Twilio's 2010 spec, and read page by page through our client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from harness.sandbox import SandboxProcess
from tests.sandbox.helpers import api_request, buy
from tests.sandbox.test_schema import TwilioSpec, _load_spec
from webapp.models.base import utcnow

CALLER = "+14155550199"


@pytest.fixture(scope="module")
def api_spec() -> TwilioSpec:
    """Twilio's 2010 API spec."""
    return TwilioSpec(_load_spec())


def test_the_calls_list_pages_through_calls_since_a_time_and_matches_the_spec(
    api_spec: TwilioSpec, sandbox: SandboxProcess
):
    number = buy(sandbox, AreaCode="415").json()["phone_number"]
    placed = {
        sandbox.place_call(number, CALLER, status, 20)["call"]["sid"]
        for status in ("completed", "busy", "failed")
    }
    since = (utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    auth = (sandbox.account_sid, sandbox.auth_token)

    pages: list[dict[str, Any]] = [
        api_spec.check(
            api_request(sandbox, "GET", "/Calls.json", params={"StartTime>": since, "PageSize": 2}),
            "GET",
            "/Calls.json",
            200,
        )
    ]
    while pages[-1]["next_page_uri"]:
        assert "StartTime%3E=" in pages[-1]["next_page_uri"]
        following = requests.get(sandbox.base_url + pages[-1]["next_page_uri"], auth=auth, timeout=5)
        pages.append(api_spec.check(following, "GET", "/Calls.json", 200))
    later = api_request(sandbox, "GET", "/Calls.json", params={"StartTime>": "2099-01-01"}).json()

    assert [len(page["calls"]) for page in pages] == [2, 1]
    assert {call["sid"] for page in pages for call in page["calls"]} == placed
    assert later["calls"] == [] and later["next_page_uri"] is None
