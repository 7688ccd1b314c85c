"""Counts at scale: exact up to the cap, then an estimate ("about") or a lower bound ("more than"), and a
pager that stops at `paged_rows`; the views' caps are lowered so a handful of rows shows the behaviour."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from harness.web import admin_view, filter_arg
from tests.admin.helpers import counted_statements, page_text
from tests.factories import make_business, make_number
from webapp.admin.counts import about, more_than
from webapp.extensions import db
from webapp.jobs.enqueue import enqueue_provision
from webapp.jobs.tasks.fleet_gauges import count_fleet
from webapp.models import BusinessStatus, Role


def make_businesses(count: int, status: BusinessStatus = BusinessStatus.ACTIVE) -> None:
    for index in range(count):
        make_business(f"Business {index:02d}", status=status)


def lower_caps(app, count_cap: int, paged_rows: int | None = None, page_size: int | None = None) -> None:  # type: ignore[no-untyped-def]
    view = admin_view(app, "business")
    view.count_cap = count_cap
    if paged_rows is not None:
        view.paged_rows = paged_rows
    if page_size is not None:
        view.page_size = page_size
    app.extensions["admin"][0].index_view.count_cap = count_cap


def analyze() -> None:
    """Give the planner statistics, as autovacuum does on a busy table."""
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE businesses"))
        connection.execute(text("ANALYZE phone_numbers"))


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (about(999_999), "about 1,000,000"),
        (about(636_363.6), "about 636,000"),
        (more_than(10_000), "more than 10,000"),
    ],
)
def test_approximate_counts_read_as_a_support_agent_expects(count, shown):
    assert str(count) == shown


def test_a_list_up_to_the_cap_counts_exactly(client, auth, app):
    make_businesses(3)
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    assert "List (3)" in page_text(client.get("/admin/business/"))


def test_a_list_above_the_cap_reads_only_the_cap_and_says_more_than(client, auth, app):
    make_businesses(5)
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    with counted_statements() as statements:
        page = page_text(client.get("/admin/business/", query_string={"search": "Business"}))
    assert "List (more than 3)" in page
    counts = [s for s in statements if "count(" in s]
    assert len(counts) == 1 and "LIMIT" in counts[0], counts


def test_a_filtered_list_above_the_cap_says_more_than(client, auth, app):
    make_businesses(5)
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    status = filter_arg(app, "business", "Status", "equals")
    page = page_text(client.get("/admin/business/", query_string={status: "active"}))
    assert "List (more than 3)" in page


@pytest.mark.postgres_only
def test_a_whole_table_above_the_cap_is_estimated_from_the_statistics(client, auth, app):
    make_businesses(5)
    analyze()
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    assert "List (about 5)" in page_text(client.get("/admin/business/"))


def test_the_pager_stops_at_paged_rows_and_a_deeper_page_shows_the_last_one(client, auth, app):
    make_businesses(7)
    lower_caps(app, count_cap=3, paged_rows=4, page_size=2)
    auth.login(Role.VIEWER)
    first = page_text(client.get("/admin/business/"))
    assert "?page=1" in first and "?page=2" not in first  # two pages of two: no page past row 4
    deep = page_text(client.get("/admin/business/", query_string={"page": 5}))
    assert "Business 02" in deep and "Business 03" in deep and "Business 06" not in deep
    assert "Lists show their first 4 rows: search or filter to find more." in deep


def test_the_dashboard_counts_exactly_up_to_the_cap(client, auth, app):
    make_businesses(3)
    make_businesses(2, status=BusinessStatus.TRIAL)
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    page = page_text(client.get("/admin/"))
    assert '<span class="count">3</span>' in page and '<span class="count">2</span>' in page
    assert 'badge-pill badge-secondary">3<' in page


def test_the_dashboard_shows_more_than_the_cap_without_statistics(client, auth, app):
    make_businesses(5)
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    page = page_text(client.get("/admin/"))
    assert "Awaiting a number" in page and 'badge-pill badge-secondary">more than 3<' in page
    assert "Showing the 5 oldest of more than 3." not in page  # all five awaiting are listed


def test_the_dashboard_shows_the_workers_latest_count_with_its_age_instead_of_counting(client, auth, app):
    make_businesses(2)
    make_number()  # a third active business, whose number takes calls without an emergency address
    make_businesses(2, status=BusinessStatus.TRIAL)
    auth.login(Role.VIEWER)
    with counted_statements() as counting:
        assert "as the workers counted them" not in page_text(client.get("/admin/"))
    count_fleet()
    make_businesses(4)  # after the count: shown from the next one on
    make_number()

    with counted_statements() as reading:
        page = page_text(client.get("/admin/"))

    assert '<span class="count">3</span>' in page and '<span class="count">2</span>' in page
    assert 'badge-pill badge-secondary">2<' in page
    emergency = page[page.index('id="numbers-without-emergency-address"') :]
    assert emergency[: emergency.index("</a>")].endswith('<span class="count">1</span>\n')
    assert (
        "Counts by status and of numbers without an emergency address as the workers counted them 0 s ago"
        in page
    )
    counts = [sum("count(*)" in statement for statement in run) for run in (counting, reading)]
    assert counts[1] == counts[0] - 4  # businesses and numbers by status, the backlog, no emergency address


@pytest.mark.postgres_only
def test_the_dashboard_estimates_a_status_above_the_cap_from_the_statistics(client, auth, app):
    make_businesses(5)
    analyze()
    lower_caps(app, count_cap=3)
    auth.login(Role.VIEWER)
    assert '<span class="count">about 5</span>' in page_text(client.get("/admin/"))


def test_a_deeper_page_picks_its_ids_first_and_joins_only_their_numbers(client, auth, app):
    for index in range(5):
        make_number(make_business(f"Business {index:02d}"), e164=f"+1415555010{index}")
    lower_caps(app, count_cap=3, page_size=2)
    auth.login(Role.VIEWER)
    with counted_statements() as statements:
        page = page_text(client.get("/admin/business/", query_string={"page": 1, "search": "Business"}))
    assert "Business 02" in page and "Business 03" in page and "(415) 555-0103" in page
    assert "Business 01" not in page and "Business 04" not in page
    rows = next(s for s in statements if "phone_numbers_1" in s)
    outer, deferred = rows.split("IN (SELECT", 1)
    assert "OFFSET" not in outer and "OFFSET" in deferred and "phone_numbers" not in deferred


def test_an_admin_opens_the_waiting_jobs_the_dashboard_counts(client, auth, app):
    for _ in range(2):
        enqueue_provision(make_business(), None)  # no worker runs: both wait
    auth.login(Role.VIEWER)
    assert (
        '<dd class="col-5" data-field="depth">2</dd>' in client.get("/admin/").text
    )  # rq-dashboard is admins'
    auth.logout()
    auth.login(Role.ADMIN)

    waiting = re.search(r'data-field="depth"><a href="([^"]+)">(\d+)</a>', client.get("/admin/").text)
    assert waiting is not None and waiting.group(2) == "2"
    listed = client.get(waiting.group(1).replace("/view/jobs/", "/data/jobs/") + ".json").get_json()

    assert client.get(waiting.group(1)).status_code == 200
    assert len(listed["jobs"]) == 2
