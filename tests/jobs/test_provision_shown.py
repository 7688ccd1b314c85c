"""A provision's Activity, on the console: the number it bought, linked, and its note in words."""

from __future__ import annotations

from harness.waits import wait_for_activity
from tests.admin.helpers import page_text
from tests.factories import make_business
from tests.jobs.helpers import numbers_of
from webapp.jobs.enqueue.kinds import enqueue_provision
from webapp.models import ActivityStatus, Role

SOLD_OUT_NEAR_SAN_FRANCISCO = "628"


def test_a_provision_shows_its_number_and_note_and_only_admins_see_the_raw_result(
    app, client, auth, start_worker
):
    business = make_business("Bayview Dental", preferred_area_code=SOLD_OUT_NEAR_SAN_FRANCISCO)
    activity = enqueue_provision(business, None)
    start_worker(PROVISION_FALLBACK="near")
    done = wait_for_activity(activity.id)
    assert done.status == ActivityStatus.SUCCEEDED, done.error
    [number] = numbers_of(business.id)
    link = (
        f'<a href="/admin/phonenumber/details/?id={number.id}" title="{number.e164}" '
        f'class="phone-number">{number.formatted}</a>'
    )
    note = (
        f"Area code {SOLD_OUT_NEAR_SAN_FRANCISCO} had no numbers available, so {number.e164} "
        f"(area code {number.area_code}), within 50 miles of area code 628, was bought instead."
    )
    details_url = f"/admin/activity/details/?id={activity.id}"

    auth.login(Role.VIEWER)
    for url in ("/admin/activity/", details_url, "/admin/"):
        assert link in page_text(client.get(url)), url
    seen_by_viewer = page_text(client.get(details_url))
    assert f'<p class="activity-note">{note}</p>' in seen_by_viewer
    assert "<details>" not in seen_by_viewer and number.twilio_sid not in seen_by_viewer

    auth.logout()
    auth.login(Role.ADMIN)
    seen_by_admin = page_text(client.get(details_url))
    assert "<details><summary>Details</summary><pre" in seen_by_admin
    assert f"&#34;twilio_sid&#34;: &#34;{number.twilio_sid}&#34;" in seen_by_admin
