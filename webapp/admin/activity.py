"""The Activity view: every background job, its live status as JSON, and Retry for failed ones."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from flask import abort, flash, jsonify, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.model.template import TemplateLinkRowAction
from markupsafe import Markup
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.admin import formatters
from webapp.admin.base import SecureModelView, flash_activity, may, reporting_refusals, requester
from webapp.admin.orphans import orphans_notice
from webapp.admin.search import Matcher, PhoneSearchMixin
from webapp.jobs.enqueue import retry_activity
from webapp.jobs.reads.health_report import capitalised
from webapp.models import Activity, ActivityStatus, Business, Role
from webapp.models.phone_format import format_national


def configuration_changes(result: dict[str, Any] | None) -> Markup | None:
    """A re-sync's changed fields as a list ("Voice fallback URL: https://old… → https://new…"), or None."""
    changed = (result or {}).get("changes")
    if not changed:
        return None
    items = Markup("").join(
        Markup("<li><strong>{}</strong>: {} → {}</li>").format(
            capitalised(change["label"]), change["from"] or "empty", change["to"] or "empty"
        )
        for change in changed
    )
    return Markup('<p class="mb-1">Changed at Twilio:</p><ul class="activity-changes">{}</ul>').format(items)


def activity_result(view: Any, context: Any, model: Activity, name: str) -> Markup:
    """The job's note in words, the fields a re-sync changed; for admins also the raw result, folded away
    under "Details"."""
    note = (model.result or {}).get("note")
    parts = [Markup('<p class="activity-note">{}</p>').format(note)] if note else []
    if changed := configuration_changes(model.result):
        parts.append(changed)
    if orphans := orphans_notice(model.result):
        parts.append(Markup('<p class="activity-orphans">{}</p>').format(orphans))
    if model.result and may(Role.ADMIN):
        raw = json.dumps(model.result, indent=2, sort_keys=True)
        details = '<details><summary>Details</summary><pre class="mb-0">{}</pre></details>'
        parts.append(Markup(details).format(raw))
    return Markup("").join(parts)


def live(field: str, formatter: formatters.Formatter | None = None) -> formatters.Formatter:
    """A detail formatter whose value the live status script refreshes (`data-live-<field>-for`)."""

    def live_value(view: Any, context: Any, model: Activity, name: str) -> Markup:
        value = formatter(view, context, model, name) if formatter else getattr(model, name)
        return Markup('<span data-live-{}-for="{}">{}</span>').format(field, model.id, value)

    return live_value


def activity_json(activity: Activity) -> dict[str, Any]:
    """An Activity's state for the console's polling script."""
    return {
        "id": str(activity.id),
        "kind": activity.kind.value,
        "kind_label": formatters.label(activity.kind),
        "status": activity.status.value,
        "status_label": formatters.label(activity.status),
        "in_flight": activity.is_in_flight,
        "attempts": activity.attempts,
        "error": activity.error,
        "error_summary": formatters.one_line(activity.error or ""),
        "progress_done": activity.progress_done,
        "progress_total": activity.progress_total,
        "progress_text": formatters.progress_text(activity),
        "started_at": activity.started_at.isoformat() if activity.started_at else None,
        "finished_at": activity.finished_at.isoformat() if activity.finished_at else None,
        "url": url_for("activity.details_view", id=activity.id),
        "numbers": [format_national(e164) for e164 in activity.numbers],
    }


class ActivityView(PhoneSearchMixin, SecureModelView):
    """The audit trail of background jobs; written by jobs, never by hand.

    Searched by number in any format (the indexed `e164` and `new_e164`, never a join) or by business name
    (`business_id IN` the businesses whose name holds the text: a trigram index on PostgreSQL).
    """

    list_template = "admin/activity/list.html"
    details_template = "admin/activity/details.html"
    can_create = False
    can_edit = False
    can_delete = False
    column_list = (
        "created_at",
        "kind",
        "status",
        "business",
        "e164",
        "requested_by",
        "attempts",
        "duration",
        "error",
    )
    column_details_list = (
        "kind",
        "status",
        "business",
        "e164",
        "requested_by",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "progress_done",
        "progress_total",
        "error",
        "result",
        "rq_job_id",
    )
    column_export_list = (
        "created_at",
        "kind",
        "status",
        "business.name",
        "e164",
        "new_e164",
        "requested_by.email",
        "attempts",
        "started_at",
        "finished_at",
        "error",
    )
    column_labels: ClassVar[dict[str, str]] = {
        "created_at": "Requested",
        "e164": "Number",
        "new_e164": "New number",
        "business.name": "Business",
        "requested_by": "Requested by",
        "rq_job_id": "RQ job",
        "progress_done": "Done",
        "progress_total": "Of",
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "created_at": formatters.timestamp,
        "started_at": formatters.timestamp,
        "finished_at": formatters.timestamp,
        "kind": formatters.enum_label,
        "status": formatters.activity_status,
        "business": formatters.activity_business,
        "e164": formatters.activity_numbers,
        "duration": formatters.duration,
        "error": formatters.error_text,
    }
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        **column_formatters,
        "status": live("status", formatters.activity_status),
        "attempts": live("attempts"),
        "error": live("error", formatters.error_text),
        "result": activity_result,
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {
        "kind": formatters.export_enum,
        "status": formatters.export_enum,
    }
    column_sortable_list = ("created_at", "kind", "status", "attempts")
    column_searchable_list = ("e164",)
    """Shows the search box; `_apply_search` decides what a term matches (see the class docstring)."""
    column_filters = ("kind", "status", "created_at")
    column_default_sort = ("created_at", True)
    column_extra_row_actions: ClassVar[list[Any]] = [TemplateLinkRowAction("switchboard.retry_row", "Retry")]
    can_export = True

    def get_query(self) -> Any:
        return (
            super()
            .get_query()
            .options(
                joinedload(Activity.business),
                joinedload(Activity.phone_number),
                joinedload(Activity.requested_by),
            )
        )

    def search_placeholder(self) -> str:
        return "Phone number or business name"

    def phone_search_condition(self, matches: Matcher) -> ColumnElement[bool]:
        return or_(matches(Activity.e164), matches(Activity.new_e164))

    def text_search_condition(self, search: str) -> ColumnElement[bool]:
        named = select(Business.id).where(Business.name.icontains(search.strip(), autoescape=True))
        return Activity.business_id.in_(named)

    @expose("/status/")
    def status_view(self) -> Response:
        """The Activity's live status as JSON (`?id=<uuid>`), polled while its job runs."""
        activity = self.get_one(request.args.get("id", ""))
        if activity is None:
            abort(404)
        return jsonify(activity_json(activity))

    @action("retry", "Retry selected", "Run each selected failed job again?")
    def action_retry(self, ids: list[str]) -> None:
        activities = self.get_records(ids)
        failed = [activity for activity in activities if activity.status == ActivityStatus.FAILED]
        retried: list[Activity] = []
        with reporting_refusals():
            for activity in failed:
                retried.append(retry_activity(activity, requester()))
        if len(retried) == 1:
            flash_activity(f"{formatters.label(retried[0].kind)} queued again.", retried[0])
        elif retried:
            flash_activity(f"{len(retried)} jobs queued again.")
        if len(failed) < len(activities):
            flash(f"Skipped {len(activities) - len(failed)}: only failed jobs can be retried.", "warning")
