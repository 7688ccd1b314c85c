"""Column formatters `(view, context, model, name)` shared by every view that shows the same thing.

Each returns escaped HTML (`Markup`): badges carry text as well as colour, so they read without colour too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import request, url_for
from markupsafe import Markup

from webapp.jobs.reads.health_report import ago
from webapp.jobs.reads.progress import STEP_NAMES
from webapp.models import (
    CAPABILITIES,
    Activity,
    ActivityKind,
    ActivityStatus,
    Business,
    BusinessStatus,
    PhoneNumber,
    WebhookStatus,
)
from webapp.models.base import utcnow
from webapp.models.phone_format import format_national

Formatter = Callable[[Any, Any, Any, str], Any]

BUSINESS_STATUS_STYLES = {
    BusinessStatus.TRIAL: "info",
    BusinessStatus.ACTIVE: "success",
    BusinessStatus.SUSPENDED: "warning",
    BusinessStatus.CANCELLED: "secondary",
}
WEBHOOK_STATUS_STYLES = {
    WebhookStatus.UNKNOWN: "secondary",
    WebhookStatus.IN_SYNC: "success",
    WebhookStatus.DRIFTED: "warning",
    WebhookStatus.ERROR: "danger",
}
ACTIVITY_STATUS_STYLES = {
    ActivityStatus.QUEUED: "secondary",
    ActivityStatus.RUNNING: "primary",
    ActivityStatus.SUCCEEDED: "success",
    ActivityStatus.FAILED: "danger",
}
CAPABILITY_LABELS = {"voice": "Voice", "sms": "SMS", "mms": "MMS", "fax": "Fax"}

WEBHOOK_STATUS_LABELS = {
    WebhookStatus.UNKNOWN: "Not checked",
    WebhookStatus.IN_SYNC: "In sync",
    WebhookStatus.DRIFTED: "Drifted",
    WebhookStatus.ERROR: "Error",
}

BREAKER_PURPOSES = {
    "search_available_numbers": "Searching available numbers",
    "purchase_number": "Buying numbers",
    "provision_number": "Searching and buying numbers",
    "update_number_webhook": "Updating webhooks",
    "fetch_number": "Checking numbers",
    "find_numbers": "Finding bought numbers",
    "list_numbers": "Listing the account's numbers",
    "release_number": "Releasing numbers",
    "update_friendly_name": "Renaming numbers",
    "fetch_number_prices": "Reading number prices",
    "make_call": "Placing calls",
    "get_call": "Reading calls",
    "list_alerts": "Reading alerts",
    "fetch_alert": "Reading an alert",
    "list_events": "Reading a number's changes",
    "list_calls": "Listing a number's calls",
    "list_messages": "Listing a number's texts",
    "list_call_events": "Reading a call's webhook requests",
    "create_address": "Creating emergency addresses",
    "find_addresses": "Finding emergency addresses",
    "set_emergency_address": "Setting emergency addresses",
}
"""What each Twilio circuit breaker guards, by client operation: the dashboard names breakers so."""


def label(value: Any) -> str:
    """Return an enum value as support staff read it: `webhook_resync` → `Webhook resync`."""
    if isinstance(value, WebhookStatus):
        return WEBHOOK_STATUS_LABELS[value]
    text = str(getattr(value, "value", value) or "")
    return text.replace("_", " ").capitalize()


def badge(text: str, style: str, title: str | None = None) -> Markup:
    """Return a Bootstrap badge with `text`."""
    if title:
        return Markup('<span class="badge badge-{}" title="{}">{}</span>').format(style, title, text)
    return Markup('<span class="badge badge-{}">{}</span>').format(style, text)


def capability_badges(capabilities: dict[str, Any] | None) -> Markup:
    """Return one badge per capability: filled when the number has it, muted and struck when not."""
    capabilities = {key.lower(): value for key, value in (capabilities or {}).items()}
    parts = []
    for name in CAPABILITIES:
        text = CAPABILITY_LABELS[name]
        if capabilities.get(name):
            parts.append(badge(text, "primary capability-on", f"{text}: yes"))
        else:
            parts.append(
                Markup(
                    '<span class="badge badge-light capability-off" title="{}: no"><s>{}</s></span>'
                ).format(text, text)
            )
    return Markup(" ").join(parts)


def when(value: datetime | None) -> Markup:
    """Return a timestamp as `2026-05-01 14:03 UTC` (full ISO time as tooltip), or an em dash."""
    if value is None:
        return Markup('<span class="text-muted">—</span>')
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.isoformat(), value.isoformat(), value.strftime("%Y-%m-%d %H:%M UTC")
    )


def since(value: datetime) -> Markup:
    """Return how long ago `value` was (`3 minutes ago`), the time itself as tooltip."""
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.isoformat(), value.strftime("%Y-%m-%d %H:%M:%S UTC"), ago(value, utcnow())
    )


def number_link(number: PhoneNumber | None) -> Markup:
    """Return the number as `(415) 555-1234`, linking to its page, with the E.164 as tooltip."""
    if number is None:
        return Markup('<span class="text-muted">No number</span>')
    url = url_for("phonenumber.details_view", id=number.id)
    return Markup('<a href="{}" title="{}" class="phone-number">{}</a>').format(
        url, number.e164, number.formatted
    )


def breaker_label(name: str) -> Markup:
    """A breaker (`twilio:purchase_number`) by what it guards ("Buying numbers"), its name as tooltip."""
    operation = name.split(":", 1)[-1]
    purpose = BREAKER_PURPOSES.get(operation, label(operation))
    return Markup('<span title="{}">{}</span>').format(name, purpose)


def record_name(model: Any) -> str:
    """How a page names a record: a business's name, a number as `(415) 555-0100`, a user's e-mail, a job."""
    if isinstance(model, Activity):
        subject = model.business or model.phone_number
        return f"{label(model.kind)}: {subject}" if subject is not None else label(model.kind)
    return str(model)


def page_heading(view: Any, model: Any = None) -> str:
    """A console page's h1: the record on its detail page, `Edit …` on its edit page, else the view's name."""
    page = (request.endpoint or "").rsplit(".", 1)[-1]
    if model and page == "edit_view":
        return f"Edit {record_name(model)}"
    if model:
        return record_name(model)
    if page == "create_view":
        return f"New {view.model.__name__.lower()}"
    return view.name


def page_title(view: Any, model: Any = None) -> str:
    """A page's `<title>`: its heading, the view's name (unless that is the heading), `Switchboard`."""
    heading = page_heading(view, model)
    return " · ".join(dict.fromkeys((heading, view.name, view.admin.name)))


def business_status(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The business's status as a badge (on a business or anything with `.business`)."""
    status: Any = getattr(model, "status", None) if name == "status" else model.business.status
    return badge(label(status), BUSINESS_STATUS_STYLES.get(status, "secondary"))


def webhook_status(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The webhook status badge of a number (or a business's number), its last error as tooltip."""
    number = model if isinstance(model, PhoneNumber) else model.phone_number
    if number is None:
        return Markup("")
    return badge(
        label(number.webhook_status),
        WEBHOOK_STATUS_STYLES.get(number.webhook_status, "secondary"),
        number.webhook_error,
    )


def capabilities(view: Any, context: Any, model: Any, name: str) -> Markup:
    """Capability badges of a number (or of a business's number)."""
    number = model if isinstance(model, PhoneNumber) else model.phone_number
    return capability_badges(number.capabilities) if number is not None else Markup("")


def phone_number(view: Any, context: Any, model: Any, name: str) -> Markup:
    """A business's (or an activity's) number, formatted and linked."""
    return number_link(getattr(model, "phone_number", None))


def formatted_number(view: Any, context: Any, model: PhoneNumber, name: str) -> Markup:
    """A number's own E.164 shown formatted, the E.164 as tooltip, linking to its page."""
    return number_link(model)


def linked_business(business: Business | None) -> Markup:
    """The business's name, linking to its page, or an em dash."""
    if business is None:
        return Markup('<span class="text-muted">—</span>')
    url = url_for("business.details_view", id=business.id)
    return Markup('<a href="{}">{}</a>').format(url, business.name)


def business_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The record's business, linking to its page."""
    return linked_business(model.business)


def business_name(view: Any, context: Any, model: Business, name: str) -> Markup:
    """A business's own name, linking to its page."""
    return linked_business(model)


def activity_numbers(view: Any, context: Any, model: Activity, name: str) -> Markup:
    """The numbers a job names: its number (linked while its row is there), and `→` the one a replacement
    bought (linked to the numbers list's search for it)."""
    if model.e164 is None:
        return Markup('<span class="text-muted">—</span>')
    number = model.phone_number
    shown = number_link(number) if number is not None and number.e164 == model.e164 else e164_text(model.e164)
    if model.new_e164:
        url = url_for("phonenumber.index_view", search=model.new_e164)
        bought = Markup('<a href="{}" title="{}" class="phone-number">{}</a>').format(
            url, model.new_e164, format_national(model.new_e164)
        )
        shown = Markup("{} → {}").format(shown, bought)
    return shown


def e164_text(e164: str) -> Markup:
    """A number no row records any more, formatted, the E.164 as tooltip."""
    return Markup('<span title="{}" class="phone-number">{}</span>').format(e164, format_national(e164))


def activity_business(view: Any, context: Any, model: Activity, name: str) -> Markup:
    """The job's business, linked, and for a move `→` the business the number went to."""
    shown = business_link(view, context, model, name)
    moved_to = (model.result or {}).get("moved_to") if model.kind == ActivityKind.MOVE else None
    if moved_to:
        url = url_for("business.details_view", id=model.result["moved_to_id"])  # type: ignore[index]
        shown = Markup('{} → <a href="{}">{}</a>').format(shown, url, moved_to)
    return shown


def activity_status(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The job's status as a badge, with attempts as tooltip."""
    return badge(
        label(model.status),
        ACTIVITY_STATUS_STYLES.get(model.status, "secondary"),
        f"{model.attempts} attempt(s)",
    )


def follow_attributes(activity: Activity) -> Markup:
    """The attributes that make the page follow `activity` while it is in flight (static/switchboard.js)."""
    return Markup('data-follow-activity="{}" data-status-url="{}" data-in-flight="{}"').format(
        activity.id,
        url_for("activity.status_view", id=activity.id),
        "true" if activity.is_in_flight else "false",
    )


def live_activity_status(activity: Activity) -> Markup:
    """The job's status badge, followed live and announced politely when it changes."""
    return Markup('<span role="status" data-live-status-for="{}" {}>{}</span>').format(
        activity.id, follow_attributes(activity), activity_status(None, None, activity, "status")
    )


def enum_label(view: Any, context: Any, model: Any, name: str) -> str:
    """An enum column as words (`webhook_resync` → `Webhook resync`)."""
    return label(getattr(model, name))


def timestamp(view: Any, context: Any, model: Any, name: str) -> Markup:
    """A timestamp column, readable, ISO as tooltip."""
    return when(getattr(model, name))


def last_call(view: Any, context: Any, model: PhoneNumber, name: str) -> Markup:
    """The number's last call: `2 days ago` (the time as tooltip) over `Completed, 42 s`, or `No call yet`."""
    at = model.last_call_at
    if at is None:
        return Markup('<span class="text-muted">No call yet</span>')
    outcome = label(model.last_call_status)
    if model.last_call_duration is not None:
        outcome += f", {model.last_call_duration} s"
    return Markup("{}<br><small>{}</small>").format(since(at), outcome)


def duration(view: Any, context: Any, model: Any, name: str) -> str:
    """How long the job ran: `1.4 s`, `3 min 2 s`, or empty while it has not ended."""
    seconds = model.duration_seconds
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def error_text(view: Any, context: Any, model: Any, name: str) -> Markup:
    """An error message in plain words, cut to one line in lists (full text as tooltip)."""
    text = getattr(model, name) or ""
    if not text:
        return Markup("")
    return Markup('<span class="text-danger" title="{}">{}</span>').format(text, one_line(text))


def one_line(text: str) -> str:
    """A message cut to fit a table cell (80 characters)."""
    return text if len(text) <= 80 else text[:77] + "…"


def progress_text(activity: Activity) -> str:
    """How far the job is, in words: a provision's step under way (`Buying`, `Done`), else `3 of 12`."""
    done = activity.progress_done or 0
    if activity.kind != ActivityKind.PROVISION:
        return f"{done} of {activity.progress_total or 0}"
    if activity.status == ActivityStatus.SUCCEEDED:
        return "Done"
    return STEP_NAMES[min(done, len(STEP_NAMES) - 1)]


def export_enum(view: Any, context: Any, model: Any, name: str) -> str:
    """An enum column in CSV exports, as its stored value."""
    value = getattr(model, name)
    return str(getattr(value, "value", value))
