"""Releasing numbers from the console: admins only, confirmed by each number's last four digits."""

from __future__ import annotations

import pytest

from tests.admin.helpers import flashed_activity_ids, follow, page_text, post_action
from tests.factories import make_business, make_number, record_release
from tests.fixtures.web import csrf_token
from webapp.admin.release import TWILIO_TAKES_BACK
from webapp.extensions import db
from webapp.models import Activity, ActivityKind, Role


def activities() -> list[Activity]:
    return list(db.session.scalars(db.select(Activity)))


def release_url(*numbers) -> str:
    return "/admin/phonenumber/release/?" + "&".join(f"id={n.id}" for n in numbers)


def confirm(client, numbers, digits=None, reason="Closed"):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client), "id": [str(n.id) for n in numbers], "reason": reason}
    for number in numbers:
        data[f"digits-{number.id}"] = digits if digits is not None else number.e164[-4:]
    return client.post("/admin/phonenumber/release/", data=data)


def test_the_confirmation_asks_for_the_last_four_digits_and_warns(client, auth, app):
    number = make_number()
    auth.login(Role.ADMIN)

    page = page_text(client.get(release_url(number)))

    assert f'id="digits-{number.id}"' in page and f"Last four digits of {number.formatted}" in page
    assert TWILIO_TAKES_BACK in page


def test_confirmed_release_enqueues_one_job_per_number_with_the_reason(client, auth, app):
    first, second = make_number(), make_number()
    auth.login(Role.ADMIN)

    page = follow(client, confirm(client, [first, second], reason="Business closed"))

    started = activities()
    assert {a.kind for a in started} == {ActivityKind.RELEASE}
    assert {a.phone_number_id for a in started} == {first.id, second.id}
    assert {a.result["reason"] for a in started} == {"Business closed"}
    assert "Releasing 2 numbers." in page


def test_wrong_digits_release_nothing_and_say_which(client, auth, app):
    number = make_number()
    auth.login(Role.ADMIN)

    page = page_text(confirm(client, [number], digits="0000" if number.e164[-4:] != "0000" else "1111"))

    assert f"The last four digits do not match for {number.formatted}: nothing was released." in page
    assert activities() == []


def test_a_double_clicked_confirmation_makes_one_job(client, auth, app):
    number = make_number()
    auth.login(Role.ADMIN)

    confirm(client, [number])
    page = follow(client, confirm(client, [number]))

    [activity] = activities()
    assert flashed_activity_ids(page) == [str(activity.id)]


def test_the_bulk_action_leads_to_the_confirmation(client, auth, app):
    first, second = make_number(), make_number()
    auth.login(Role.ADMIN)

    response = post_action(client, "phonenumber", "release", [first.id, second.id])

    assert response.status_code == 302 and "/admin/phonenumber/release/?id=" in response.headers["Location"]
    page = follow(client, response)
    assert first.formatted in page and second.formatted in page and activities() == []


def test_the_number_page_offers_release_to_admins_only(client, auth, app):
    number = make_number()
    auth.login(Role.ADMIN)
    assert "Release number…" in client.get(f"/admin/phonenumber/details/?id={number.id}").text
    auth.logout()
    auth.login(Role.OPERATOR)
    assert "Release number…" not in client.get(f"/admin/phonenumber/details/?id={number.id}").text
    assert "Release selected" not in client.get("/admin/phonenumber/").text


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_viewers_and_operators_are_refused_release(client, auth, app, role):
    number = make_number()
    auth.login(role)

    assert client.get(release_url(number)).status_code == 403
    assert confirm(client, [number]).status_code == 403
    assert post_action(client, "phonenumber", "release", [number.id]).status_code == 403
    assert activities() == []


def test_past_numbers_show_on_the_business_page_and_in_released_numbers(client, auth, app):
    number = make_number()
    business = number.business
    record_release(number, reason="Closed the shop")
    auth.login(Role.ADMIN)

    details = client.get(f"/admin/business/details/?id={business.id}").text
    released = client.get("/admin/released/").text

    assert "Numbers this business had" in details and number.twilio_sid in details
    assert "Closed the shop" in details
    assert number.twilio_sid in released and business.name in released


def test_released_numbers_are_for_admins(client, auth, app):
    auth.login(Role.OPERATOR)
    assert client.get("/admin/released/").status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_viewers_and_operators_are_refused_move(client, auth, app, role):
    number = make_number()
    target = make_business("Target")
    auth.login(role)

    assert client.get(f"/admin/phonenumber/move/?id={number.id}").status_code == 403
    posted = client.post(
        f"/admin/phonenumber/move/?id={number.id}",
        data={"csrf_token": csrf_token(client), "business": "Target"},
    )

    assert posted.status_code == 403 and activities() == []
    assert target.phone_number is None


def test_an_admin_moves_a_number_by_business_name(client, auth, app):
    number = make_number()
    make_business("Target")
    auth.login(Role.ADMIN)

    response = client.post(
        f"/admin/phonenumber/move/?id={number.id}",
        data={"csrf_token": csrf_token(client), "business": "Target"},
    )

    page = follow(client, response)
    [activity] = activities()
    assert activity.kind == ActivityKind.MOVE and activity.result["moved_to"] == "Target"
    assert f"Moving {number.formatted} to Target." in page


def test_an_operator_may_replace_but_a_viewer_may_not(client, auth, app):
    number = make_number()
    auth.login(Role.VIEWER)
    assert client.get(f"/admin/phonenumber/replace/?id={number.id}").status_code == 403
    auth.logout()
    auth.login(Role.OPERATOR)

    response = client.post(
        f"/admin/phonenumber/replace/?id={number.id}",
        data={"csrf_token": csrf_token(client), "area_code": "512"},
    )

    follow(client, response)
    [activity] = activities()
    assert activity.kind == ActivityKind.REPLACE and activity.result["requested_area_code"] == "512"
