"""List pages and the dashboard issue a fixed number of SQL statements, however many rows they show."""

from __future__ import annotations

import pytest

from tests.admin.helpers import counted_statements
from tests.factories import make_business, make_number
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, ActivityStatus, Role


def add_rows(count: int) -> None:
    """`count` businesses with a number, plus as many without, and an activity for each numbered one."""
    for _ in range(count):
        number = make_number()
        make_business()
        db.session.add(
            Activity(
                kind=ActivityKind.PROVISION,
                status=ActivityStatus.SUCCEEDED,
                business=number.business,
                phone_number=number,
            )
        )
    db.session.commit()


def statements_for(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    db.session.expire_all()  # nothing loaded is trusted: a row the page does not load eagerly costs a query
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


URLS = [
    "/admin/business/?page_size=20",
    "/admin/phonenumber/?page_size=20",
    "/admin/activity/?page_size=20",
    "/admin/",
    "/admin/business/export/csv/",
]


@pytest.mark.parametrize("url", URLS)
def test_statement_count_does_not_grow_with_the_rows_shown(client, auth, app, url):
    auth.login(Role.OPERATOR)
    add_rows(2)
    few = statements_for(client, url)
    add_rows(18)
    many = statements_for(client, url)
    assert len(many) == len(few), "\n\n".join(many)


def test_list_pages_need_at_most_three_statements(client, auth, app):
    """The signed-in user, the count, and the page (numbers and businesses joined in)."""
    auth.login(Role.OPERATOR)
    add_rows(5)
    assert len(statements_for(client, "/admin/business/")) <= 3
    assert len(statements_for(client, "/admin/activity/")) <= 3
    assert len(statements_for(client, "/admin/phonenumber/")) <= 4  # plus the bulk job's progress


def test_dashboard_counts_read_each_table_once_and_never_all_of_it(client, auth, app):
    """Status counts are one statement per table, each value counted up to the cap; no GROUP BY scan."""
    auth.login(Role.VIEWER)
    add_rows(5)
    statements = statements_for(client, "/admin/")
    counts = [s for s in statements if "count(" in s]
    # businesses by status, numbers by status, the backlog, the numbers of cancelled businesses, numbers
    # whose webhook is failing, voice numbers without a registered emergency address, calls in the last
    # hour (the idle numbers come from the fleet count, in Redis)
    assert len(counts) == 7, "\n\n".join(counts)
    assert all("LIMIT" in s and "GROUP BY" not in s for s in counts), "\n\n".join(counts)
    assert len(statements) <= 11, "\n\n".join(statements)  # the 11th: the latest check, for its orphans
