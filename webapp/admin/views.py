"""The console's business and phone-number views: lists, details, and the actions that enqueue jobs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any, ClassVar

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_redirect_target
from flask_admin.model.template import TemplateLinkRowAction
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.admin import formatters
from webapp.admin.base import SecureModelView, flash_activity, reporting_refusals, requester
from webapp.admin.choose_number import ChooseNumberMixin
from webapp.admin.deletion import KeepNumberedBusinessesMixin
from webapp.admin.emergency import (
    EmergencyAddressFilter,
    EmergencyNumberMixin,
    ServiceAddressMixin,
    emergency_badge,
)
from webapp.admin.filters import AreaCodeFilter, BusinessStatusFilter, CapabilityFilter, HasNumberFilter
from webapp.admin.health_badges import WebhookFailingFilter, webhook_state
from webapp.admin.move_replace import MoveReplaceMixin
from webapp.admin.number_health import health_context, refresh_health_view, test_call_view
from webapp.admin.number_history import PastNumbersMixin
from webapp.admin.orphans import OrphansMixin
from webapp.admin.release import ReleaseNumberMixin
from webapp.admin.search import Matcher, PhoneSearchMixin
from webapp.admin.twilio_console import twilio_sid
from webapp.extensions import db
from webapp.jobs.enqueue import (
    enqueue_bulk_provision,
    enqueue_bulk_resync,
    enqueue_check,
    enqueue_health_sweep,
    enqueue_provision,
    enqueue_resync_drifted,
)
from webapp.models import Activity, ActivityKind, Business, PhoneNumber, Role
from webapp.models.activity import NUMBER_CHANGES
from webapp.models.base import utcnow
from webapp.models.call_day import with_recent_calls

HISTORY_LENGTH = 20
"""How many of a business's activities its page lists."""

BULK_JOB_SHOWN_FOR = timedelta(hours=1)
"""How long the numbers page shows the progress of the last bulk webhook job after it started."""

BULK_JOB_KEPT_FOR = timedelta(minutes=10)
"""How long after it ended the page still shows it (with its age); later it sits beside unrelated news."""


def provision_refusal(business: Business) -> str | None:
    """Why a number may not be bought for `business`, as a phrase after "this business", or None."""
    refusal = business.number_refusal()
    return refusal.phrase if refusal is not None else None


def activity_history(where: ColumnElement[bool]) -> list[Activity]:
    """The latest `HISTORY_LENGTH` activities `where` selects, newest first, with requester and number."""
    query = (
        select(Activity)
        .where(where)
        .options(joinedload(Activity.requested_by), joinedload(Activity.phone_number))
        .order_by(Activity.created_at.desc())
        .limit(HISTORY_LENGTH)
    )
    return list(db.session.scalars(query))


def skipped_sentence(reasons: Counter[str]) -> str:
    """`Skipped 3: 2 already has a number; 1 is trial, not active.` for the businesses an action left out."""
    parts = "; ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    return f"Skipped {sum(reasons.values())}: {parts}."


class BusinessView(
    KeepNumberedBusinessesMixin,
    ChooseNumberMixin,
    PastNumbersMixin,
    ServiceAddressMixin,
    PhoneSearchMixin,
    SecureModelView,
):
    """Every business, its status and its number; operators provision numbers from here."""

    list_template = "admin/business/list.html"
    details_template = "admin/business/details.html"
    column_list = ("name", "status", "phone_number", "capabilities", "webhook_status")
    column_details_list = (
        "name",
        "status",
        "contact_email",
        "preferred_area_code",
        "created_at",
        "updated_at",
    )
    column_export_list = ("name", "status", "contact_email", "preferred_area_code", "phone_number.e164")
    column_labels: ClassVar[dict[str, str]] = {
        "phone_number": "Phone number",
        "phone_number.e164": "Phone number (E.164)",
        "webhook_status": "Webhook",
        "contact_email": "Contact e-mail",
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "name": formatters.business_name,
        "status": formatters.business_status,
        "phone_number": formatters.phone_number,
        "capabilities": formatters.capabilities,
        "webhook_status": webhook_state,
        "created_at": formatters.timestamp,
        "updated_at": formatters.timestamp,
    }
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        column: formatter for column, formatter in column_formatters.items() if column != "name"
    }
    """The business's own page names it without a link to itself."""
    column_formatters_export: ClassVar[dict[str, Any]] = {
        "status": formatters.export_enum,
    }
    column_searchable_list = ("name", "contact_email")
    column_sortable_list = ("name", "status")
    column_filters = ("status", HasNumberFilter(), AreaCodeFilter(), "preferred_area_code")
    column_default_sort = ("name", False)
    column_extra_row_actions: ClassVar[list[Any]] = [
        TemplateLinkRowAction("switchboard.provision_row", "Provision a number")
    ]
    can_export = True
    form_excluded_columns = (  # and every SYSTEM_KEPT column (SecureModelView.scaffold_form)
        "phone_number",
        "address_street",  # the service address is checked whole on its own page (address_view)
        "address_city",
        "address_region",
        "address_postal_code",
    )

    def search_placeholder(self) -> str:
        return "Name, e-mail or phone number"

    def phone_search_condition(self, matches: Matcher) -> ColumnElement[bool]:
        return Business.id.in_(select(PhoneNumber.business_id).where(matches(PhoneNumber.e164)))

    def get_query(self) -> Any:
        return super().get_query().options(joinedload(Business.phone_number))

    provision_refusal = staticmethod(provision_refusal)
    health = staticmethod(health_context)

    def activity_history(self, business: Business) -> list[Activity]:
        """The business's latest activities, newest first."""
        return activity_history(Activity.business_id == business.id)

    @staticmethod
    def number_change(history: list[Activity]) -> Activity | None:
        """The latest provision, release, move or replacement in `history`: the page's job card shows it,
        so the card and the number beside it tell the same story."""
        return next((activity for activity in history if activity.kind in NUMBER_CHANGES), None)

    @action("provision", "Provision selected", "Buy a number for each selected business that may get one?")
    def action_provision(self, ids: list[str]) -> None:
        skipped: Counter[str] = Counter()
        eligible: list[Business] = []
        for business in self.get_records(ids):
            if reason := provision_refusal(business):
                skipped[reason] += 1
            else:
                eligible.append(business)
        with reporting_refusals():
            if len(eligible) == 1:
                activity = enqueue_provision(eligible[0], requester())
                flash_activity(f"Provisioning a number for {eligible[0].name}.", activity)
            elif eligible:
                outcome = enqueue_bulk_provision(eligible, requester())
                if started := len(outcome.started):
                    flash_activity(
                        f"Provisioning numbers for {started} business{'es' if started > 1 else ''}."
                    )
                if outcome.already_in_flight:
                    skipped["already being provisioned"] += len(outcome.already_in_flight)
        if skipped:
            flash(skipped_sentence(skipped), "warning")


class PhoneNumberView(
    OrphansMixin,
    ReleaseNumberMixin,
    MoveReplaceMixin,
    EmergencyNumberMixin,
    PhoneSearchMixin,
    SecureModelView,
):
    """Every number with its capabilities and webhook state; operators re-sync webhooks from here."""

    list_template = "admin/phonenumber/list.html"
    details_template = "admin/phonenumber/details.html"
    can_create = False
    can_edit = False
    can_delete = False
    """A number's row leaves only through a release (Release number), never a delete: the database refuses
    too (models/release_guard.py)."""
    column_list = (
        "e164",
        "capabilities",
        "business",
        "twilio_sid",
        "webhook_status",
        "emergency_address_status",
        "last_call_at",
        "calls_30d",
        "webhook_checked_at",
        "webhook_error",
    )
    """Area code, country and when the webhook was last synced are left to the number's page (the number
    shows its area code), the SID is shortened and errors wrap (static/switchboard.css), so every column
    fits a 1366-pixel screen without scrolling sideways."""
    column_details_list = (
        "e164",
        "formatted",
        "capabilities",
        "business",
        "business.status",
        "area_code",
        "country",
        "twilio_sid",
        "voice_url",
        "status_callback_url",
        "webhook_status",
        "webhook_checked_at",
        "webhook_synced_at",
        "webhook_error",
        "last_call_at",
        "created_at",
    )
    column_export_list = (
        "e164",
        "business.name",
        "area_code",
        "country",
        "twilio_sid",
        "webhook_status",
        "webhook_checked_at",
        "webhook_synced_at",
        "webhook_error",
        "last_call_at",
        "last_call_status",
        "last_call_duration",
        "emergency_address_status",
    )
    column_labels: ClassVar[dict[str, str]] = {
        "e164": "Number",
        "formatted": "Formatted",
        "business.name": "Business",
        "business.status": "Business status",
        "twilio_sid": "Twilio SID",
        "webhook_status": "Webhook",
        "webhook_checked_at": "Last checked",
        "webhook_synced_at": "Last synced",
        "webhook_error": "Last error",
        "last_call_at": "Last call",
        "last_call_status": "Last call's status",
        "last_call_duration": "Last call's seconds",
        "emergency_address_status": "Emergency address",
        "calls_30d": "Calls (30 d)",
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "e164": formatters.formatted_number,
        "capabilities": formatters.capabilities,
        "business": formatters.business_link,
        "business.status": formatters.business_status,
        "twilio_sid": twilio_sid,
        "webhook_status": webhook_state,
        "webhook_checked_at": formatters.timestamp,
        "webhook_synced_at": formatters.timestamp,
        "webhook_error": formatters.error_text,
        "last_call_at": formatters.last_call,
        "created_at": formatters.timestamp,
        "emergency_address_status": emergency_badge,
    }
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        **column_formatters,
        "e164": lambda view, context, model, name: model.e164,
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {
        "webhook_status": formatters.export_enum,
    }
    column_searchable_list = ("twilio_sid",)
    column_sortable_list = (
        "e164",
        "webhook_status",
        "last_call_at",
        "webhook_checked_at",
    )
    """Not by Calls (30 d): a sliding 30-day sum changes every midnight without a write, so no index can
    hold it exactly; sorting by it would sum every number's daily totals on each page (README, Benchmarks).
    The column shows the page's rows only (`with_recent_calls`)."""
    column_filters = (
        "webhook_status",
        WebhookFailingFilter(),
        EmergencyAddressFilter(),
        CapabilityFilter(),
        "area_code",
        BusinessStatusFilter(),
    )
    column_default_sort = ("e164", False)
    column_extra_row_actions: ClassVar[list[Any]] = [
        TemplateLinkRowAction("switchboard.resync_row", "Re-sync webhook")
    ]
    can_export = True
    method_roles: ClassVar[dict[str, Role]] = {
        "check_all_view": Role.OPERATOR,
        "resync_drifted_view": Role.OPERATOR,
        "health_test_call_view": Role.OPERATOR,
        "check_health_view": Role.OPERATOR,
    }

    health = staticmethod(health_context)

    def activity_history(self, number: PhoneNumber) -> list[Activity]:
        """The number's own history: the jobs that name it (also as a replacement's new number), newest
        first; it outlives a move, and a job of a number released and bought again names it too."""
        return activity_history(or_(Activity.e164 == number.e164, Activity.new_e164 == number.e164))

    def search_placeholder(self) -> str:
        return "Phone number or Twilio SID"

    def get_query(self) -> Any:
        return super().get_query().options(with_recent_calls())

    @expose("/health/refresh/", methods=("POST",))
    def health_refresh_view(self) -> Response:
        """Read a number's health from Twilio again (viewers too: it only reads)."""
        return refresh_health_view()

    @expose("/health/test-call/", methods=("POST",))
    def health_test_call_view(self) -> Response:
        """Place a test call to a number (operators)."""
        return test_call_view()

    def phone_search_condition(self, matches: Matcher) -> ColumnElement[bool]:
        return matches(PhoneNumber.e164)

    def bulk_activity(self) -> Activity | None:
        """The latest check-all or re-sync-drifted job started within the hour, for the progress bar, while
        it runs and for `BULK_JOB_KEPT_FOR` after it ended."""
        query = (
            select(Activity)
            .where(
                Activity.kind.in_((ActivityKind.WEBHOOK_CHECK, ActivityKind.RESYNC_DRIFTED)),
                Activity.created_at >= utcnow() - BULK_JOB_SHOWN_FOR,
            )
            .order_by(Activity.created_at.desc())
            .limit(1)
        )
        latest = db.session.scalars(query).first()
        if latest is None or (latest.finished_at or utcnow()) < utcnow() - BULK_JOB_KEPT_FOR:
            return None
        return latest

    @action("resync", "Re-sync selected", "Re-sync the webhook of every selected number?")
    def action_resync(self, ids: list[str]) -> None:
        numbers = self.get_records(ids)
        with reporting_refusals():
            outcome = enqueue_bulk_resync(numbers, requester())
            started = outcome.started + outcome.already_in_flight
            if len(started) == 1:
                flash_activity(
                    f"Re-syncing the webhook of {numbers[0].formatted}.", db.session.get(Activity, started[0])
                )
            elif started:
                flash_activity(f"Re-syncing the webhooks of {len(started)} numbers.")

    @expose("/check-all/", methods=("POST",))
    def check_all_view(self) -> Response:
        """Check every number's webhook against Twilio in one background job."""
        with reporting_refusals():
            flash_activity("Checking every number's webhook.", enqueue_check(None, requester()))
        return redirect(get_redirect_target() or url_for(".index_view"))

    @expose("/check-health/", methods=("POST",))
    def check_health_view(self) -> Response:
        """Read the account's new alerts into every number's failing-webhook state, in one background job."""
        with reporting_refusals():
            flash_activity("Checking every number's webhook failures.", enqueue_health_sweep(requester()))
        return redirect(get_redirect_target() or url_for(".index_view"))

    @expose("/resync-drifted/", methods=("POST",))
    def resync_drifted_view(self) -> Response:
        """Re-sync the webhook of every number found drifted, in one background job."""
        with reporting_refusals():
            flash_activity("Re-syncing every drifted webhook.", enqueue_resync_drifted(requester()))
        return redirect(get_redirect_target() or url_for(".index_view"))
