"""The Activity view: every background job, its live status as JSON, and Retry for failed ones."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from flask import abort, flash, jsonify, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.model.template import TemplateLinkRowAction
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.admin import formatters
from webapp.admin.base import SecureModelView, flash_activity, may, reporting_refusals, requester
from webapp.admin.orphans import orphans_notice
from webapp.jobs.enqueue import retry_activity
from webapp.jobs.reads.health_report import capitalised
from webapp.models import CAPABILITIES, Activity, ActivityStatus, Role


def number_json(activity: Activity) -> dict[str, Any] | None:
    """The number the job concerns (or its business's number) as the live status panel shows it."""
    number = activity.phone_number or (activity.business.phone_number if activity.business else None)
    if number is None:
        return None
    capabilities = {key.lower(): bool(value) for key, value in (number.capabilities or {}).items()}
    return {
        "e164": number.e164,
        "formatted": number.formatted,
        "url": url_for("phonenumber.details_view", id=number.id),
        "capabilities": [
            {
                "name": name,
                "label": formatters.CAPABILITY_LABELS[name],
                "present": capabilities.get(name, False),
            }
            for name in CAPABILITIES
        ],
        "webhook_status": number.webhook_status.value,
        "webhook_status_label": formatters.label(number.webhook_status),
        "webhook_status_style": formatters.WEBHOOK_STATUS_STYLES[number.webhook_status],
        "webhook_error": number.webhook_error,
    }


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
        "number": number_json(activity),
    }


class ActivityView(SecureModelView):
    """The audit trail of background jobs; written by jobs, never by hand."""

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
        "phone_number",
        "requested_by",
        "attempts",
        "duration",
        "error",
    )
    column_details_list = (
        "kind",
        "status",
        "business",
        "phone_number",
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
        "phone_number.e164",
        "requested_by.email",
        "attempts",
        "started_at",
        "finished_at",
        "error",
    )
    column_labels: ClassVar[dict[str, str]] = {
        "created_at": "Requested",
        "phone_number": "Number",
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
        "business": formatters.business_link,
        "phone_number": formatters.phone_number,
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
