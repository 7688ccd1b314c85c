"""The fleet's failing webhooks in the lists: the "Webhook failing" badge, its filter and the window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from markupsafe import Markup

from webapp.admin.filters import YES_NO
from webapp.admin.formatters import badge, webhook_status
from webapp.models import PhoneNumber
from webapp.models.base import utcnow

FAILING_LABEL = "Webhook failing (24 h)"
"""The filter's name, as support staff ask for it (the window is `WEBHOOK_FAILURE_WINDOW_HOURS`)."""


def failing_since() -> datetime:
    """Return the start of the window in which a failed webhook request marks a number as failing."""
    return utcnow() - timedelta(hours=current_app.config["WEBHOOK_FAILURE_WINDOW_HOURS"])


def failing_badge(number: PhoneNumber | None) -> Markup:
    """Return the "Webhook failing" badge of a number failing in the window, its count and code as tooltip."""
    if number is None or not number.webhook_failing(failing_since()):
        return Markup("")
    detail = (
        f"{number.webhook_failures} failed webhook requests; the last, error {number.webhook_failure_code}, "
        f"at {number.webhook_failed_at:%Y-%m-%d %H:%M} UTC"
    )
    return badge("Webhook failing", "danger", detail)


def webhook_state(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The webhook status badge of a number (or a business's number), and "Webhook failing" when it is."""
    number = model if isinstance(model, PhoneNumber) else model.phone_number
    return webhook_status(view, context, model, name) + Markup(" ") + failing_badge(number)


class WebhookFailingFilter(BaseSQLAFilter):
    """Numbers with (or without) a failed webhook request in the window."""

    def __init__(self) -> None:
        super().__init__(PhoneNumber.webhook_failed_at, FAILING_LABEL, options=YES_NO)

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        failing = PhoneNumber.webhook_failing_since(failing_since())
        return query.filter(failing if value == "yes" else ~failing | PhoneNumber.webhook_failed_at.is_(None))

    def operation(self) -> str:
        return "is"
