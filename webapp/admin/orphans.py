"""Orphans in the console: numbers bought at Twilio under our name that no row records, as the latest
webhook check found them, in words (the dashboard, the check's Activity) and on a page that adopts or
releases each one (admins)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import flash, redirect, request, url_for
from flask_admin import expose
from markupsafe import Markup
from werkzeug.wrappers import Response

from webapp.admin.base import flash_activity, may, reporting_refusals, requester
from webapp.jobs.enqueue import enqueue_orphan_adoption, enqueue_orphan_release
from webapp.jobs.reads.orphans import business_named, foreign_changes, latest_check, listed_orphans
from webapp.models import Activity, Role
from webapp.models.phone_format import format_national


def orphans_sentence(result: dict[str, Any] | None) -> str | None:
    """`2 numbers are bought at Twilio but not recorded here: (415) 555-1234, (415) 555-9876.` for a
    check's result, or None when it found none."""
    count = (result or {}).get("orphans", 0)
    if not count:
        return None
    named = [format_national(orphan["e164"]) for orphan in (result or {}).get("orphan_numbers", [])]
    more = count - len(named)
    listed = ", ".join(named) + (f" and {more} more" if more and named else "")
    verb = "number is" if count == 1 else "numbers are"
    return f"{count} {verb} bought at Twilio but not recorded here" + (f": {listed}." if listed else ".")


def orphans_notice(result: dict[str, Any] | None) -> Markup | None:
    """The sentence with a link to the page that adopts or releases them, or None when none were found."""
    sentence = orphans_sentence(result)
    if sentence is None:
        return None
    return Markup('{} <a href="{}">Adopt or release them…</a>').format(
        sentence, url_for("phonenumber.orphans_view")
    )


def latest_orphans_notice() -> Markup | None:
    """The orphans the latest check found, in words with a link, for the dashboard; None when none."""
    check = latest_check()
    return orphans_notice(check.result) if check is not None and listed_orphans(check) else None


class OrphansMixin:
    """Adds the orphans page (`orphans_view`, any role) and its Adopt and Release (admins) to the numbers
    view. Only orphans the latest check named and no row records since can be adopted or released."""

    method_roles: ClassVar[dict[str, Role]] = {
        "adopt_orphan_view": Role.ADMIN,
        "release_orphan_view": Role.ADMIN,
    }

    @expose("/orphans/")
    def orphans_view(self) -> str:
        """The orphans the latest check found, each with its business and what can be done."""
        check = latest_check()
        rows = []
        for orphan in listed_orphans(check):
            business = business_named(orphan["friendly_name"])
            adoptable = business is not None and business.phone_number is None
            formatted = format_national(orphan["e164"])
            foreign = foreign_changes(business, orphan.get("configuration") or {})
            rows.append(
                {
                    **orphan,
                    "formatted": formatted,
                    "business": business,
                    "adoptable": adoptable,
                    "foreign": foreign,
                }
            )
        return self.render(  # type: ignore[attr-defined]
            "admin/phonenumber/orphans.html",
            check=check,
            orphans=rows,
            sentence=orphans_sentence(check.result if check else None),
            may_settle=may(Role.ADMIN),
        )

    def _listed(self) -> dict[str, Any] | None:
        sid = request.form.get("sid", "")
        found = next((o for o in listed_orphans(latest_check()) if o["sid"] == sid), None)
        if found is None:
            flash(
                "That number is not among the unrecorded numbers the last check found: check again.", "danger"
            )
        return found

    @expose("/orphans/adopt/", methods=("POST",))
    def adopt_orphan_view(self) -> Response:
        """Start recording an orphan as its business's number; `force` (the page's confirmation of one set up
        for someone else) takes it anyway."""
        if orphan := self._listed():
            with reporting_refusals():
                force = request.form.get("force") == "1"
                activity: Activity = enqueue_orphan_adoption(orphan, requester(), force=force)
                flash_activity(f"Adopting {format_national(orphan['e164'])}.", activity)
        return redirect(url_for(".orphans_view"))

    @expose("/orphans/release/", methods=("POST",))
    def release_orphan_view(self) -> Response:
        """Start releasing an orphan at Twilio."""
        if orphan := self._listed():
            with reporting_refusals():
                activity = enqueue_orphan_release(orphan, requester(), request.form.get("reason"))
                flash_activity(f"Releasing {format_national(orphan['e164'])}.", activity)
        return redirect(url_for(".orphans_view"))
