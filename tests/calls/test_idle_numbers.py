"""Idle numbers: the page and `numbers idle` list the same numbers, with the same cells, by the rule the
settings give; the page's actions price the selection and hand releases to the guarded release."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from harness.web import filter_arg
from tests.admin.helpers import follow, post_action
from tests.factories import make_business, make_number
from webapp.jobs.reads.number_costs import PRICES_KEY
from webapp.models import BusinessStatus, CallReport, PhoneNumber, Role, record_call
from webapp.models.base import utcnow

CALLER = "+14155550199"
_sids = iter(range(1, 10_000))


def called(number: PhoneNumber, seconds: int, days_ago: int = 1, status: str = "completed") -> None:
    """Record one ended call to `number`."""
    record_call(
        CallReport(
            f"CA{next(_sids):032x}", status, number.e164, CALLER, "inbound", seconds,
            utcnow() - timedelta(days=days_ago),
        )
    )  # fmt: skip


@pytest.fixture
def fleet(app, redis_client):
    """Numbers of every kind the rule tells apart, and Twilio's prices kept as the job keeps them."""
    redis_client.set(
        PRICES_KEY, json.dumps({"monthly": {"local": "1.15", "toll free": "2.15"}, "currency": "USD"})
    )
    old = utcnow() - timedelta(days=40)
    numbers = {
        "never called": make_number(e164="+14155550101", created_at=old),
        "short calls only": make_number(e164="+18005550102", created_at=old),
        "two long calls": make_number(e164="+14155550103", created_at=old),
        "three long calls": make_number(e164="+14155550104", created_at=old),
        "long calls long ago": make_number(
            make_business("=HYPERLINK(1)", status=BusinessStatus.CANCELLED),
            e164="+14155550105",
            created_at=old,
        ),
        "too young": make_number(e164="+14155550106", created_at=utcnow() - timedelta(days=10)),
    }
    called(numbers["short calls only"], 11)
    called(numbers["short calls only"], 30, status="busy")
    for seconds in (12, 60):
        called(numbers["two long calls"], seconds)
    for seconds in (12, 13, 14):
        called(numbers["three long calls"], seconds)
    called(numbers["long calls long ago"], 90, days_ago=31)
    return numbers


def test_the_page_and_numbers_idle_list_the_same_numbers_with_the_same_cells(client, auth, runner, fleet):
    auth.login(Role.VIEWER)

    exported = client.get("/admin/idle-numbers/export/csv/")
    printed = runner.invoke(args=["numbers", "idle", "--csv"])

    assert exported.status_code == 200 and printed.exit_code == 0, printed.output
    page_rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    cli_rows = list(csv.reader(io.StringIO(printed.output)))
    assert page_rows[0] == cli_rows[0]
    assert sorted(page_rows[1:]) == sorted(cli_rows[1:])
    by_number = {row[0]: row for row in cli_rows[1:]}
    assert set(by_number) == {"+14155550101", "+18005550102", "+14155550103", "+14155550105"}
    assert [row[0] for row in cli_rows[1:4]] == ["+14155550101", "+14155550105", "+18005550102"]  # idle first
    assert by_number["+18005550102"][5:] == ["2", "Idle", "2.15 USD"]
    assert by_number["+14155550103"][5:] == ["2", "At risk (2 long calls)", "1.15 USD"]
    assert by_number["+14155550105"][1:3] == ["'=HYPERLINK(1)", "cancelled"]  # no formula, in either
    listed = client.get("/admin/idle-numbers/").get_data(as_text=True)
    assert "(415) 555-0101" in listed and "(415) 555-0104" not in listed and "(415) 555-0106" not in listed


def test_the_settings_move_the_window(app, runner, fleet):
    app.config["IDLE_DAYS"] = 60  # read at each use, as IDLE_DAYS=60 in the environment gives it
    printed = runner.invoke(args=["numbers", "idle"]).output
    assert "+14155550105" in printed and "At risk (1 long call)" in printed  # its call is in 60 days


def test_the_filter_keeps_the_idle_ones_and_the_cost_action_prices_the_selection(app, client, auth, fleet):
    auth.login(Role.OPERATOR)
    idle_filter = filter_arg(app, "idle_numbers", "Idle (no long call)")
    idle_only = client.get(f"/admin/idle-numbers/?{idle_filter}=yes").get_data(as_text=True)
    assert "(800) 555-0102" in idle_only and "(415) 555-0103" not in idle_only

    ids = [str(fleet["never called"].id), str(fleet["short calls only"].id)]
    page = follow(client, post_action(client, "idle-numbers", "cost", ids))
    assert "2 numbers selected, costing 3.30 USD a month." in page


def test_release_selected_goes_to_the_guarded_confirmation_for_admins_only(client, auth, fleet):
    rowid = str(fleet["never called"].id)
    auth.login(Role.OPERATOR)
    assert post_action(client, "idle-numbers", "release", [rowid]).status_code == 403
    auth.login(Role.ADMIN)
    answer = post_action(client, "idle-numbers", "release", [rowid])
    assert (
        answer.status_code == 302 and f"/admin/phonenumber/release/?id={rowid}" in answer.headers["Location"]
    )
