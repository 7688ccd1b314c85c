"""A number's SID as the console shows it (web process): linking to the number's page in the Twilio Console,
except on the sandbox, whose numbers the Console does not know."""

from __future__ import annotations

from typing import Any

from flask import current_app
from markupsafe import Markup

CONSOLE_NUMBER_URL = "https://console.twilio.com/us1/develop/phone-numbers/manage/incoming/{sid}/configure"
"""A number's configuration page in the Twilio Console, by its SID (`PN…`)."""


def console_url(sid: str) -> str | None:
    """The number's page in the Twilio Console, or None on the sandbox."""
    if current_app.config["TWILIO_SANDBOX"]:
        return None
    return CONSOLE_NUMBER_URL.format(sid=sid)


def twilio_sid(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The SID, linking to the number's page in the Twilio Console (lists shorten it in CSS: the whole SID
    stays in the text, so copying and searching the page take it whole, and in the tooltip)."""
    sid = getattr(model, name)
    url = console_url(sid)
    if url is None:
        return Markup('<span class="twilio-sid" title="{}">{}</span>').format(sid, sid)
    return Markup('<a class="twilio-sid" href="{}" title="Open {} in the Twilio Console">{}</a>').format(
        url, sid, sid
    )
