"""The pages timed, each with the plain SQL of the rows it lists (its floor)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.seed import business_name, e164_for

PAGE_SIZE = 50
DEEP_PAGE = 999
"""Page 1000 (zero-based in the URL), or the last page when there are fewer."""

# A number and a name tag that exist at every scale (business 444 has a number in area code 415).
SEARCHED_INDEX = 444
SEARCHED_NUMBER = e164_for(SEARCHED_INDEX)
SEARCHED_NAME_PART = business_name(4_321).split()[-1].lower()

ROW_COLUMNS = "b.*, p.*"


@dataclass(frozen=True)
class Page:
    """A page to time: its URL below a variant's prefix, and the plain SQL of the rows it lists."""

    name: str
    path: Callable[[int], str]
    floor: Callable[[int], str]


def deep_page(businesses: int) -> int:
    return min(DEEP_PAGE, businesses // PAGE_SIZE - 1)


def businesses_sql(where: str = "", offset: int = 0) -> str:
    """The page's businesses, then their numbers: the LIMIT comes before the join."""
    return (
        f"SELECT {ROW_COLUMNS} FROM (SELECT * FROM businesses {where} ORDER BY name LIMIT {PAGE_SIZE} "
        f"OFFSET {offset}) b LEFT JOIN phone_numbers p ON p.business_id = b.id ORDER BY b.name"
    )


def numbers_sql(where: str = "", order: str = "e164") -> str:
    """The page's numbers, then their businesses."""
    return (
        f"SELECT {ROW_COLUMNS} FROM (SELECT * FROM phone_numbers {where} ORDER BY {order} "
        f"LIMIT {PAGE_SIZE}) p LEFT JOIN businesses b ON b.id = p.business_id ORDER BY p.{order}"
    )


DASHBOARD_SQL = (
    "SELECT * FROM businesses b WHERE b.status = 'active' AND NOT EXISTS "
    "(SELECT 1 FROM phone_numbers p WHERE p.business_id = b.id) ORDER BY b.created_at LIMIT 20; "
    "SELECT * FROM activities a LEFT JOIN businesses b ON b.id = a.business_id "
    "LEFT JOIN phone_numbers p ON p.id = a.phone_number_id LEFT JOIN users u ON u.id = a.requested_by_id "
    "ORDER BY a.created_at DESC LIMIT 20"
)


def pages(webhook_filter: str, last_call_sort: int) -> list[Page]:
    """The pages of issue 7, in the order the table lists them."""
    national = f"({SEARCHED_NUMBER[2:5]}) {SEARCHED_NUMBER[5:8]}-{SEARCHED_NUMBER[8:]}"
    return [
        Page("Businesses, page 1", lambda n: "/business/", lambda n: businesses_sql()),
        Page(
            "Businesses, page 1000 (or last)",
            lambda n: f"/business/?page={deep_page(n)}",
            lambda n: businesses_sql(offset=deep_page(n) * PAGE_SIZE),
        ),
        Page(
            "Businesses, search by phone number",
            lambda n: "/business/?" + urlencode({"search": national}),
            lambda n: businesses_sql(
                f"WHERE id IN (SELECT business_id FROM phone_numbers WHERE e164 = '{SEARCHED_NUMBER}')"
            ),
        ),
        Page(
            "Businesses, search by name",
            lambda n: "/business/?" + urlencode({"search": SEARCHED_NAME_PART}),
            lambda n: businesses_sql(
                f"WHERE name ILIKE '%{SEARCHED_NAME_PART}%' OR contact_email ILIKE '%{SEARCHED_NAME_PART}%'"
            ),
        ),
        Page(
            "Numbers, filtered by webhook status (drifted)",
            lambda n: f"/phonenumber/?{webhook_filter}=drifted",
            lambda n: numbers_sql("WHERE webhook_status = 'drifted'"),
        ),
        Page(
            "Numbers, sorted by last call",
            lambda n: f"/phonenumber/?sort={last_call_sort}",
            lambda n: numbers_sql(order="last_call_at"),
        ),
        Page("Dashboard", lambda n: "/", lambda n: DASHBOARD_SQL),
    ]
