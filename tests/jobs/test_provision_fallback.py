"""An area code with no numbers: the provision fails and the console offers numbers near it and in its
state (`PROVISION_FALLBACK=off`, the default), or buys from those places itself when the setting allows."""

from __future__ import annotations

import html
import re

import pytest

from harness.waits import wait_for_activity
from tests.admin.helpers import page_text
from tests.factories import make_business
from tests.jobs.helpers import numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityStatus, Role

NEAR_SAN_FRANCISCO = "628"
"""Sold out at the sandbox; overlays 415, so numbers within 50 miles are for sale."""

FAR_NORTH_CALIFORNIA = "530"
"""Sold out at the sandbox; 190 miles from California's other area codes: only its state has numbers."""

OFFER = re.compile(r'<li><a href="(?P<url>[^"]+)">(?P<label>[^<]+)</a></li>')


def offers_on(client, url: str) -> dict[str, str]:
    """The offers of the page's "Other numbers this business could have" card, label to link."""
    page = page_text(client.get(url))
    assert 'id="provision-alternatives"' in page, url
    card = page.split('id="provision-alternatives"', 1)[1].split("</ul>", 1)[0]
    return {html.unescape(m["label"]): html.unescape(m["url"]) for m in OFFER.finditer(card)}


def offered_numbers(client, url: str) -> list[str]:
    """The numbers a choose-number search page offers to buy."""
    return re.findall(r'<tr data-number="(\+\d+)">', page_text(client.get(url)))


def test_an_area_code_without_numbers_fails_and_offers_numbers_near_it_and_in_its_state(
    app, client, auth, sandbox, start_worker
):
    business = make_business("Mission Bakery", preferred_area_code=NEAR_SAN_FRANCISCO)
    activity = enqueue_provision(business, None)
    start_worker()

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED
    assert done.error.startswith(f"No number could be bought: none in area code {NEAR_SAN_FRANCISCO}.")
    assert "Choose a number" in done.error
    assert sandbox.owned_count() == 0  # nothing bought elsewhere behind the agent's back
    auth.login(Role.OPERATOR)
    for page in (f"/admin/business/details/?id={business.id}", f"/admin/activity/details/?id={activity.id}"):
        offers = offers_on(client, page)
        assert list(offers) == [
            f"Numbers within 50 miles of area code {NEAR_SAN_FRANCISCO}",
            "Numbers elsewhere in CA",
            "Choose a number…",
        ], page
    near = offered_numbers(client, offers[f"Numbers within 50 miles of area code {NEAR_SAN_FRANCISCO}"])
    in_state = offered_numbers(client, offers["Numbers elsewhere in CA"])
    assert near and {number[2:5] for number in near} <= {"415", "500", "510"}
    assert in_state and {number[2:5] for number in in_state} <= {"213", "415", "500", "510"}
    assert 'id="number-search"' in page_text(client.get(offers["Choose a number…"]))


def test_the_choose_number_page_offers_the_nearby_searches_when_an_area_code_has_none(
    app, client, auth, sandbox
):
    business = make_business(preferred_area_code="415")
    auth.login(Role.OPERATOR)
    url = f"/admin/business/choose-number/?id={business.id}&searched=1&area_code={FAR_NORTH_CALIFORNIA}"

    page = page_text(client.get(url))

    assert 'id="no-results"' in page
    searches = dict(
        (html.unescape(label), html.unescape(link))
        for link, label in re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a></li>',
            page.split('id="nearby-searches"', 1)[1].split("</ul>")[0],
        )
    )
    assert list(searches) == [
        f"Numbers within 50 miles of area code {FAR_NORTH_CALIFORNIA}",
        "Numbers elsewhere in CA",
    ]
    assert (
        offered_numbers(client, searches[f"Numbers within 50 miles of area code {FAR_NORTH_CALIFORNIA}"])
        == []
    )
    assert offered_numbers(client, searches["Numbers elsewhere in CA"])


@pytest.mark.parametrize(
    ("setting", "area_code", "rule", "label", "found_in"),
    [
        ("near", NEAR_SAN_FRANCISCO, "near", "within 50 miles of area code 628", {"415", "500", "510"}),
        ("region", FAR_NORTH_CALIFORNIA, "region", "elsewhere in CA", {"213", "415", "500", "510"}),
    ],
)
def test_with_provision_fallback_the_provision_buys_nearby_and_records_the_rule(
    app, client, auth, sandbox, start_worker, setting, area_code, rule, label, found_in
):
    business = make_business(preferred_area_code=area_code)
    activity = enqueue_provision(business, None)
    start_worker(PROVISION_FALLBACK=setting)

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    [number] = numbers_of(business.id)
    assert number.area_code in found_in
    assert done.result["found_by"] == rule
    note = (
        f"Area code {area_code} had no numbers available, so {number.e164} (area code {number.area_code}), "
        f"{label}, was bought instead."
    )
    assert done.result["note"] == note
    auth.login(Role.VIEWER)
    assert f'<p class="activity-note">{note}</p>' in page_text(
        client.get(f"/admin/activity/details/?id={activity.id}")
    )


def test_provision_fallback_near_does_not_go_as_far_as_the_state(app, sandbox, start_worker):
    business = make_business(preferred_area_code=FAR_NORTH_CALIFORNIA)
    activity = enqueue_provision(business, None)
    start_worker(PROVISION_FALLBACK="near")

    done = wait_for_activity(activity.id)

    assert done.status == ActivityStatus.FAILED
    assert done.error.startswith(
        f"No number could be bought: none in area code {FAR_NORTH_CALIFORNIA}, "
        f"nor within 50 miles of area code {FAR_NORTH_CALIFORNIA}."
    )
    assert sandbox.owned_count() == 0
