"""Status callback counters, incremented by the receiver (`webapp/callbacks/receiver.py`, web process):
callbacks recorded, refused by reason, and those for numbers we do not record. Labels are bounded: four
reasons, never a number or SID."""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

RefusalReason = Literal["bad_signature", "other_account", "malformed", "too_large"]

RECEIVED = Counter(
    "switchboard_status_callbacks_received_total",
    "Call status callbacks accepted from Twilio (signed for this account, well formed), repeats included.",
)
REFUSED = Counter(
    "switchboard_status_callbacks_refused_total",
    "Call status callbacks refused: bad_signature (403), other_account (403), malformed (400, 411), "
    "too_large (413).",
    ["reason"],
)
UNKNOWN_NUMBERS = Counter(
    "switchboard_status_callbacks_unknown_number_total",
    "Call status callbacks, new to us, for a number no row records.",
)

for _reason in ("bad_signature", "other_account", "malformed", "too_large"):
    REFUSED.labels(_reason)  # every reason shown from the start, at 0


def received(unknown_number: bool) -> None:
    """Count an accepted callback, and whether it was a new one for a number we do not record."""
    RECEIVED.inc()
    if unknown_number:
        UNKNOWN_NUMBERS.inc()


def refused(reason: RefusalReason) -> None:
    """Count a refused callback."""
    REFUSED.labels(reason).inc()
