"""The Calls list the backfill walks: filtered by `StartTime>`, paged with `next_page_uri` that keeps the
filter and its place (a page token) whatever calls arrive meanwhile, every page valid against Twilio's 2010
spec, newest start first, read through the store's index on the start."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from harness.sandbox import SandboxProcess
from tests.sandbox.helpers import api_request, buy
from tests.sandbox.test_schema import TwilioSpec, _load_spec
from webapp.models.base import utcnow
from webapp.sandbox.render import call, rfc2822
from webapp.sandbox.store import Store

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


def test_a_page_token_keeps_its_place_when_calls_arrive_between_pages(
    api_spec: TwilioSpec, sandbox: SandboxProcess
):
    number = buy(sandbox, AreaCode="415").json()["phone_number"]
    placed = [sandbox.place_call(number, CALLER, "completed", 20)["call"]["sid"] for _ in range(5)]
    auth = (sandbox.account_sid, sandbox.auth_token)
    first = api_spec.check(
        api_request(sandbox, "GET", "/Calls.json", params={"To": number, "PageSize": 2}),
        "GET",
        "/Calls.json",
        200,
    )
    arrived = [sandbox.place_call(number, CALLER, "busy", 0)["call"]["sid"] for _ in range(3)]

    pages = [first]
    while pages[-1]["next_page_uri"]:
        following = requests.get(sandbox.base_url + pages[-1]["next_page_uri"], auth=auth, timeout=5)
        pages.append(api_spec.check(following, "GET", "/Calls.json", 200))
    now = api_request(sandbox, "GET", "/Calls.json", params={"To": number, "PageSize": 1000}).json()

    walked = [call["sid"] for page in pages for call in page["calls"]]
    assert walked == placed[::-1], "newest first, each call once, none of those added after the first page"
    assert [page["start"] for page in pages] == [0, 2, 4]
    assert [call["sid"] for call in now["calls"]] == arrived[::-1] + placed[::-1]


def test_calls_are_listed_newest_start_first_within_their_start_and_end_ranges(sandbox: SandboxProcess):
    number = buy(sandbox, AreaCode="415").json()["phone_number"]
    store = Store(sandbox.db_path)
    now = utcnow().replace(microsecond=0)
    noon = now.replace(hour=12, minute=0, second=0)  # a whole day's filter never meets midnight
    ended = {days: noon - timedelta(days=days) for days in (1, 3, 5)}
    for days, end in ended.items():  # saved oldest last, so the order comes from the start alone
        record = call(
            f"CA{days:032x}", sandbox.account_sid, number, CALLER, None, end - timedelta(seconds=30)
        )
        record.update(
            status="completed", start_time=rfc2822(end - timedelta(seconds=30)), end_time=rfc2822(end)
        )
        store.save_record("calls", record["sid"], record)
    store.save_record(
        "calls", "CA" + "f" * 32, call("CA" + "f" * 32, sandbox.account_sid, number, CALLER, None, now)
    )

    def listed(**params: str) -> list[str]:
        answer = api_request(sandbox, "GET", "/Calls.json", params={"To": number, **params}).json()
        return [c["sid"][-1] for c in answer["calls"]]

    day = ended[3].strftime("%Y-%m-%d")
    assert listed() == ["f", "1", "3", "5"]  # the queued call by its creation
    assert listed(**{"StartTime>": (now - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ")}) == [
        "f",
        "1",
        "3",
    ]
    assert listed(**{"EndTime<": (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")}) == ["3", "5"]
    assert listed(StartTime=day) == ["3"] and listed(EndTime=day) == ["3"]
    assert listed(**{"EndTime>": "2000-01-01"}) == ["1", "3", "5"]  # a call not ended has no end


def test_a_store_made_before_the_calls_times_gets_them(tmp_path: Path):
    path = tmp_path / "sandbox.sqlite3"
    started = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    queued = call("CA" + "1" * 32, "AC" + "0" * 32, "+14155550100", CALLER, None, started)
    with closing(sqlite3.connect(path)) as old, old:
        old.execute("CREATE TABLE calls (sid TEXT PRIMARY KEY, record TEXT NOT NULL)")
        old.execute("INSERT INTO calls VALUES (?, ?)", (queued["sid"], json.dumps(queued)))

    store = Store(path)

    kept = store.page_calls({}, (started, started), (None, None), after_sid=None, offset=0, limit=10)
    assert [c["sid"] for c in kept] == [queued["sid"]]
    assert store.page_calls({}, (None, None), (started, None), after_sid=None, offset=0, limit=10) == []
