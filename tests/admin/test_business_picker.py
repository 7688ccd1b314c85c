"""The move page's business picker (`ajax/lookup/?name=move_target`): one short page of the businesses that
can take a number, whose name starts with what was typed; admins only."""

from __future__ import annotations

from tests.factories import make_business, make_number
from webapp.models import BusinessStatus, Role

LOOKUP = "/admin/phonenumber/ajax/lookup/"


def lookup(client, query: str, **extra: object) -> list[list[str]]:
    response = client.get(LOOKUP, query_string={"name": "move_target", "query": query, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_the_picker_offers_only_businesses_that_can_take_a_number_by_the_start_of_their_name(
    app, client, auth
):
    bakery = make_business("Bayview Bakery")
    co = make_business("bay & Co")
    make_business("Bayside Tailors", status=BusinessStatus.TRIAL)
    make_number(make_business("Bayshore Florist"))
    make_business("Old Bayview Inn")  # has "bayview" inside its name, not at its start
    auth.login(Role.ADMIN)

    assert lookup(client, "BAY") == [[str(co.id), "bay & Co"], [str(bakery.id), "Bayview Bakery"]]
    assert lookup(client, "bayv") == [[str(bakery.id), "Bayview Bakery"]]
    assert lookup(client, str(bakery.id)) == [[str(bakery.id), "Bayview Bakery"]]
    assert lookup(client, "%") == [] and lookup(client, "_ay") == []  # typed literally, not as wildcards


def test_the_picker_answers_one_short_page_whatever_the_client_asks(app, client, auth):
    for index in range(12):
        make_business(f"Harbor {index:02d}")
    auth.login(Role.ADMIN)

    assert [name for _, name in lookup(client, "harbor", limit=1000)] == [
        f"Harbor {i:02d}" for i in range(10)
    ]
    assert [name for _, name in lookup(client, "harbor", offset=10)] == ["Harbor 10", "Harbor 11"]
    assert lookup(client, "harbor", offset=10**9) == []


def test_only_admins_may_search_the_picker(app, client, auth):
    make_business("Bayview Bakery")
    auth.login(Role.OPERATOR)

    assert client.get(LOOKUP, query_string={"name": "move_target", "query": "bay"}).status_code == 403
