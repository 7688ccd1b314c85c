"""Releasing numbers from the console (admins only): a confirmation that asks for each number's last four
digits, then one release job per number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from werkzeug.wrappers import Response

from webapp.admin.base import flash_activity, may, reporting_refusals, requester
from webapp.jobs.enqueue import REASON_MAX, activities_of, enqueue_bulk_release, enqueue_release
from webapp.models import Activity, PhoneNumber, Role

TWILIO_TAKES_BACK = (
    "Twilio offers a released number back only for a short time, and only through its own Console: "
    "Switchboard cannot undo a release."
)


def last_four(number: PhoneNumber) -> str:
    """The digits the admin types to confirm releasing `number`."""
    return number.e164[-4:]


class ReleaseNumberMixin:
    """Adds **Release number** (`release_view`) and the bulk action **Release selected** to the numbers
    view; both need an admin, and an operator's or viewer's request is a 403."""

    method_roles: ClassVar[dict[str, Role]] = {"release_view": Role.ADMIN}
    action_roles: ClassVar[dict[str, Role]] = {"release": Role.ADMIN}

    # Given by the view this is mixed into.
    get_records: Callable[[list[str]], list[PhoneNumber]]
    render: Callable[..., str]

    @property
    def may_release(self) -> bool:
        """Whether the signed-in user may release numbers (templates show the button only then)."""
        return may(Role.ADMIN)

    @action("release", "Release selected")
    def action_release(self, ids: list[str]) -> Response:
        return redirect(url_for(".release_view", id=ids))

    @expose("/release/", methods=("GET", "POST"))
    def release_view(self) -> Any:
        """GET: the confirmation for the numbers `id=...`. POST: release them if every last four match."""
        numbers = self.get_records(request.values.getlist("id"))
        if not numbers:
            flash("Choose at least one number to release.", "danger")
            return redirect(url_for(".index_view"))
        if request.method == "POST":
            wrong = [n for n in numbers if request.form.get(f"digits-{n.id}", "").strip() != last_four(n)]
            if not wrong:
                return self._release(numbers, request.form.get("reason"))
            flash(
                "The last four digits do not match for "
                + ", ".join(n.formatted for n in wrong)
                + ": nothing was released.",
                "danger",
            )
        return self.render(
            "admin/phonenumber/release.html",
            numbers=numbers,
            warning=TWILIO_TAKES_BACK,
            reason=request.form.get("reason", ""),
            reason_max=REASON_MAX,
        )

    def _release(self, numbers: list[PhoneNumber], reason: str | None) -> Response:
        started: list[Activity] = []
        with reporting_refusals():
            if len(numbers) == 1:
                started = [enqueue_release(numbers[0], requester(), reason)]
            else:
                started = activities_of(enqueue_bulk_release(numbers, requester(), reason))
        if len(started) == 1:
            flash_activity(f"Releasing {numbers[0].formatted}.", started[0])
        elif started:
            flash_activity(f"Releasing {len(started)} numbers.")
        return redirect(url_for(".index_view"))
