"""How a number's health reads to a support agent, for the console's panel and the CLI's text: error
meanings, "2 days ago", who changed a setting and the cause of a drift."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webapp.twilio_client.configuration import FIELDS


def capitalised(text: str) -> str:
    """Return `text` with its first letter capital and the rest as it is (`voice URL` -> `Voice URL`)."""
    return text[:1].upper() + text[1:]


ERROR_MEANINGS = {
    "11200": "HTTP retrieval failure: Twilio could not fetch the webhook",
    "11205": "HTTP connection failure",
    "11210": "HTTP bad host name: the webhook's host does not resolve",
    "11215": "HTTP too many redirects",
    "11217": "The webhook answered 429 Too Many Requests",
}
"""One line per webhook error code, from Twilio's error pages (see LIBRARY-NOTES.md)."""

SOURCES = {"web": "in the Twilio Console", "api": "through the API", "twilio": "by Twilio"}
"""How each Monitor event source reads in a sentence."""

FIELD_LABELS = {
    **{name: capitalised(field.label) for name, field in FIELDS.items()},
    "friendly_name": "Friendly name",
}
"""How a change's fields read: every managed field (`configuration.py`), and the friendly name."""


def meaning(code: str | None) -> str:
    """Return the one-line meaning of a Twilio error code."""
    return ERROR_MEANINGS.get(code or "", f"Twilio error {code}" if code else "Unknown error")


def parse_time(text: str | None) -> datetime | None:
    """Return a snapshot's ISO time as a datetime."""
    return datetime.fromisoformat(text) if text else None


def ago(moment: datetime | None, now: datetime) -> str:
    """Return how long ago `moment` was, roughly: `just now`, `5 minutes ago`, `2 days ago`."""
    if moment is None:
        return "at an unknown time"
    seconds = max(0, int((now - moment).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def actor(change: dict[str, Any]) -> str:
    """Return who made a change: the Console user, the account's API key, or Twilio."""
    if change.get("actor_type") == "user":
        return f"user {change.get('actor_sid') or 'unknown'}"
    if change.get("actor_type") == "account":
        return f"account {change.get('actor_sid') or 'unknown'}"
    return change.get("actor_type") or "someone"


def change_sentence(change: dict[str, Any], now: datetime) -> str:
    """`Voice URL changed in the Twilio Console by user US..., 2 days ago`."""
    fields = ", ".join(FIELD_LABELS.get(name, name) for name in change.get("fields", {})) or "Settings"
    where = SOURCES.get(change.get("source") or "", f"from {change.get('source') or 'somewhere'}")
    return f"{fields} changed {where} by {actor(change)}, {ago(parse_time(change.get('at')), now)}"


def configuration_rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the managed fields of a snapshot's configuration (field, label, expected, at Twilio,
    differs); empty for a snapshot read before they were (it shows again after a refresh)."""
    rows = (snapshot.get("configuration") or {}).get("fields", [])
    return [{**row, "label": capitalised(row["label"])} for row in rows]


def drift_cause(snapshot: dict[str, Any], now: datetime) -> str | None:
    """Return the latest change of a drifted setting as a sentence, or None (not drifted, or no event)."""
    configuration = snapshot.get("configuration") or {}
    drifted = set(configuration.get("drifted_fields", []))
    if not drifted:
        return None
    cause = next((c for c in snapshot.get("changes", []) if drifted & set(c.get("fields", {}))), None)
    return change_sentence(cause, now) if cause else None
