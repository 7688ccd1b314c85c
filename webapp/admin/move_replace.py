"""Moving a number to another business (admins) and replacing it by a new one (operators), from its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import abort, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.fields import AjaxSelectField
from wtforms import Form

from webapp.admin.base import flash_activity, reporting_refusals, requester
from webapp.admin.business_picker import PICKER_NAME, BusinessPicker
from webapp.jobs.enqueue import enqueue_move, enqueue_replace
from webapp.models import PhoneNumber, Role
from webapp.models.lookup import find_business

BUSINESS_PICKER = BusinessPicker()


class MoveForm(Form):
    """Which business gets the number: picked by typing the start of its name (`business_picker.py`)."""

    business = AjaxSelectField(BUSINESS_PICKER, "Business that gets the number")


class MoveReplaceMixin:
    """Adds `move_view` and `replace_view` to the numbers view."""

    method_roles: ClassVar[dict[str, Role]] = {
        "move_view": Role.ADMIN,
        "replace_view": Role.OPERATOR,
        "ajax_lookup": Role.ADMIN,  # the move picker's searches
    }
    form_ajax_refs: ClassVar[dict[str, BusinessPicker]] = {PICKER_NAME: BUSINESS_PICKER}

    # Given by the view this is mixed into.
    get_one: Callable[[str | None], PhoneNumber | None]
    render: Callable[..., str]

    def _number_or_404(self) -> Any:
        number = self.get_one(request.values.get("id"))
        if number is None:
            abort(404)
        return number

    @expose("/move/", methods=("GET", "POST"))
    def move_view(self) -> Any:
        """GET: ask which business gets the number. POST: start the move."""
        number = self._number_or_404()
        if request.method == "POST":
            with reporting_refusals():
                target = find_business(request.form.get("business", ""))
                activity = enqueue_move(number, target, requester())
                flash_activity(f"Moving {number.formatted} to {target.name}.", activity)
                return redirect(url_for(".details_view", id=number.id))
        return self.render("admin/phonenumber/move.html", number=number, form=MoveForm())

    @expose("/replace/", methods=("GET", "POST"))
    def replace_view(self) -> Any:
        """GET: ask for the new number's area code or the number itself. POST: start the replacement."""
        number = self._number_or_404()
        if request.method == "POST":
            area_code = request.form.get("area_code", "").strip() or None
            chosen = request.form.get("new_number", "").strip() or None
            with reporting_refusals():
                activity = enqueue_replace(number, requester(), area_code, chosen)
                flash_activity(f"Replacing {number.formatted} for {number.business.name}.", activity)
                return redirect(url_for("business.details_view", id=number.business_id))
        return self.render("admin/phonenumber/replace.html", number=number, form=request.form)
