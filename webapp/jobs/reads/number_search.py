"""Searching Twilio for numbers to buy: a read, so the console and the CLI run it at once, not in a job.

The filters are checked by the Twilio client before any request (one place for the rules); a failure is
turned into one sentence a support agent can act on. Nothing is ever bought here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from webapp.models import ValidationError
from webapp.models.phone_format import normalise_e164
from webapp.twilio_client import ApiError, AvailableNumber, get_client

logger = logging.getLogger(__name__)

TWILIO_RESULTS_MAX = 30
"""Twilio answers a search with at most about 30 numbers; paging gives no more (twilio-node #316)."""

TWILIO_DOWN = "Twilio is not answering right now, so no numbers can be shown; nothing was bought."
"""What a search says when Twilio is down or its circuit breaker is open."""

NUMBER_TYPE_LABELS = {"local": "Local", "toll-free": "Toll-free", "mobile": "Mobile"}
"""The kinds of number a search may ask for, as people call them."""


@dataclass(frozen=True)
class NumberSearch:
    """What to search for: the kind of number and Twilio's filters (None: not filtered)."""

    number_type: str = "local"
    area_code: str | None = None
    contains: str | None = None
    region: str | None = None
    postal_code: str | None = None
    near_number: str | None = None
    distance: int | None = None
    """Miles around `near_number` (Twilio's default: 25)."""
    voice: bool = False
    sms: bool = False
    mms: bool = False
    limit: int = TWILIO_RESULTS_MAX

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> NumberSearch:
        """Read a search from a form or query string (blank fields are no filter; checkboxes are `y`).

        Raises:
            ValidationError: the number to search near is not a phone number, or the distance not a whole
                number of miles.
        """

        def text(name: str) -> str | None:
            return (form.get(name) or "").strip() or None

        near = text("near_number")
        distance = text("distance")
        if distance is not None and not distance.isdigit():
            raise ValidationError("distance", f"The distance must be whole miles, like 50; got {distance!r}.")
        return cls(
            number_type=text("number_type") or "local",
            area_code=text("area_code"),
            contains=text("contains"),
            region=(text("region") or "").upper() or None,
            postal_code=text("postal_code"),
            near_number=normalise_e164(near, "near_number") if near else None,
            distance=int(distance) if distance is not None else None,
            voice=bool(form.get("voice")),
            sms=bool(form.get("sms")),
            mms=bool(form.get("mms")),
        )


def search_numbers(search: NumberSearch) -> list[AvailableNumber]:
    """Return the numbers Twilio offers for `search` (at most about 30).

    Raises:
        ValidationError: a filter is malformed, or Twilio refused or could not answer the search; the
            message is one sentence for the page or the terminal.
    """
    try:
        return get_client().search_available_numbers(
            area_code=search.area_code,
            contains=search.contains,
            voice=True if search.voice else None,
            sms=True if search.sms else None,
            limit=search.limit,
            number_type=search.number_type,
            mms=True if search.mms else None,
            in_region=search.region,
            in_postal_code=search.postal_code,
            near_number=search.near_number,
            distance=search.distance,
        )
    except ValueError as error:
        raise ValidationError("search", str(error)) from None
    except ApiError as error:
        logger.warning("Number search failed: %s", error)
        if error.retryable:  # down, timed out, rate-limited, or its breaker is open
            raise ValidationError("search", TWILIO_DOWN) from None
        raise ValidationError("search", f"Twilio refused the search: {error.message}") from None
