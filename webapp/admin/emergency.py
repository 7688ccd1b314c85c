"""Emergency addresses in the console: each number's badge and filter, the dashboard's count, the number
page's panel and its Register / Remove buttons (operators), and the business's service address form
(operators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from markupsafe import Markup
from sqlalchemy import Select, func, literal_column, select
from werkzeug.wrappers import Response

from webapp.admin.base import flash_activity, latest_number_activity, reporting_refusals, requester
from webapp.admin.counts import ApproximateCount, capped_count, more_than
from webapp.admin.formatters import badge
from webapp.extensions import db
from webapp.jobs.enqueue import EmergencyAction, emergency_refusal, enqueue_emergency
from webapp.models import (
    Activity,
    ActivityKind,
    Business,
    EmergencyStatus,
    PhoneNumber,
    Role,
    ServiceAddress,
    ValidationError,
)

EMERGENCY_BADGES: dict[str | None, tuple[str, str]] = {
    None: ("Not registered", "warning"),
    EmergencyStatus.UNREGISTERED: ("Not registered", "warning"),
    EmergencyStatus.REGISTERED: ("Registered", "success"),
    EmergencyStatus.PENDING_REGISTRATION: ("Registering", "info"),
    EmergencyStatus.PENDING_UNREGISTRATION: ("Unregistering", "info"),
    EmergencyStatus.REGISTRATION_FAILURE: ("Registration failed", "danger"),
    EmergencyStatus.UNREGISTRATION_FAILURE: ("Unregistering failed", "danger"),
}
"""The badge of each `emergency_address_status`: its words and Bootstrap style."""

FILTER_CHOICES = {
    "not_registered": ("Not registered", PhoneNumber.without_emergency_address()),
    "registered": ("Registered", PhoneNumber.emergency_address_status == EmergencyStatus.REGISTERED.value),
    "failed": (
        "Failed",
        PhoneNumber.emergency_address_status.in_(
            (EmergencyStatus.REGISTRATION_FAILURE.value, EmergencyStatus.UNREGISTRATION_FAILURE.value)
        ),
    ),
}


def emergency_badge_of(number: PhoneNumber | None) -> Markup:
    """Return the number's emergency-address badge, Twilio's reason as tooltip when it failed."""
    if number is None:
        return Markup("")
    text, style = EMERGENCY_BADGES[number.emergency_address_status]
    return badge(text, style, number.emergency_address_error)


def emergency_badge(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The list's formatter of `emergency_address_status`."""
    return emergency_badge_of(model)


class EmergencyAddressFilter(BaseSQLAFilter):
    """Numbers by emergency address: not registered, registered, or failed."""

    def __init__(self) -> None:
        options = tuple((key, label) for key, (label, _) in FILTER_CHOICES.items())
        super().__init__(PhoneNumber.emergency_address_status, "Emergency address", options=options)

    def validate(self, value: str) -> bool:
        return value in FILTER_CHOICES

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        return query.filter(FILTER_CHOICES[value][1])

    def operation(self) -> str:
        return "is"


def voice_numbers_without_emergency_address(cap: int | None) -> int | ApproximateCount:
    """How many numbers that take calls have no registered emergency address (exact up to `cap`)."""
    missing = PhoneNumber.voice_capable() & PhoneNumber.without_emergency_address()
    if cap is None:
        return db.session.scalar(select(func.count()).select_from(PhoneNumber).where(missing)) or 0
    rows: Select[Any] = select(literal_column("1")).select_from(PhoneNumber).where(missing)
    counted = db.session.scalar(capped_count(rows, cap)) or 0
    return counted if counted <= cap else more_than(cap)


def latest_emergency_activity(number: PhoneNumber) -> Activity | None:
    """The number's latest emergency-address job, for the panel's live status."""
    return latest_number_activity(number, ActivityKind.EMERGENCY_ADDRESS)


class EmergencyNumberMixin:
    """Adds the emergency panel's helpers and `emergency_view` (operators) to the numbers view."""

    method_roles: ClassVar[dict[str, Role]] = {"emergency_view": Role.OPERATOR}

    get_one: Callable[[str | None], PhoneNumber | None]

    emergency_badge = staticmethod(emergency_badge_of)
    latest_emergency_activity = staticmethod(latest_emergency_activity)

    @staticmethod
    def emergency_refusal(number: PhoneNumber, action: str = EmergencyAction.REGISTER.value) -> str | None:
        """Why the number's emergency address may not be registered (or removed) now, or None."""
        return emergency_refusal(number, EmergencyAction(action))

    @expose("/emergency/", methods=("POST",))
    def emergency_view(self) -> Response:
        """Register the business's service address as the number's emergency address, or remove it."""
        number = self.get_one(request.form.get("id"))
        if number is None:
            abort(404)
        action = request.form.get("action", "")
        if action not in {member.value for member in EmergencyAction}:
            abort(400)
        with reporting_refusals():
            activity = enqueue_emergency(number, requester(), EmergencyAction(action))
            doing = "Registering" if action == EmergencyAction.REGISTER else "Removing"
            flash_activity(f"{doing} the emergency address of {number.formatted}.", activity)
        return redirect(url_for(".details_view", id=number.id))


class ServiceAddressMixin:
    """Adds the service address form (`address_view`, operators) to the businesses view."""

    method_roles: ClassVar[dict[str, Role]] = {"address_view": Role.OPERATOR}

    get_one: Callable[[str | None], Business | None]
    render: Callable[..., str]

    @expose("/address/", methods=("GET", "POST"))
    def address_view(self) -> Any:
        """GET: the business's service address in a form. POST: check it whole and save it, or say what is
        wrong and change nothing."""
        business = self.get_one(request.values.get("id"))
        if business is None:
            abort(404)
        error: ValidationError | None = None
        if request.method == "POST":
            form = request.form
            try:
                address = ServiceAddress.checked(
                    form.get("street"), form.get("city"), form.get("region"), form.get("postal_code")
                )
            except ValidationError as refused:
                error = refused
            else:
                business.set_service_address(address)
                db.session.commit()
                flash(f"The service address of {business.name} is now {address.one_line()}.", "success")
                return redirect(url_for(".details_view", id=business.id))
        current = business.service_address
        values = (
            request.form
            if request.method == "POST"
            else {
                "street": current.street if current else "",
                "city": current.city if current else "",
                "region": current.region if current else "",
                "postal_code": current.postal_code if current else "",
            }
        )
        return self.render("admin/business/address.html", business=business, values=values, error=error)
