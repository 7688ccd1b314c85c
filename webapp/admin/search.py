"""Phone-aware search: a phone-like term is normalised and matched on the stored E.164, not `CAST … ILIKE`.

`415-555-1234`, `(415) 555 1234`, `4155551234` and `+14155551234` all become `+14155551234` and match it
exactly (a unique-index lookup); a shorter run of digits such as `415 555` matches by prefix (`+1415555%`),
which an index on `e164` serves (on PostgreSQL with `varchar_pattern_ops`). Any other text falls back to
Flask-Admin's search over the view's text columns.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement

from webapp.models import PhoneNumber
from webapp.models.phone_format import try_normalise_e164

PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]+$")
"""Only digits and the punctuation people type in phone numbers."""

MIN_PREFIX_DIGITS = 3
"""Fewer digits than an area code are too loose to search numbers by."""


def phone_condition(search: str) -> ColumnElement[bool] | None:
    """Return a condition on `PhoneNumber.e164` for a phone-like search, or None for other text."""
    text = search.strip()
    if not PHONE_LIKE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PREFIX_DIGITS:
        return None
    e164 = try_normalise_e164(text)
    if e164 is not None:
        return PhoneNumber.e164 == e164
    if text.startswith("+") and not digits.startswith("1"):
        return None  # another country: Switchboard holds +1 numbers only
    if digits.startswith("1"):
        digits = digits[1:]  # US area codes never start with 1, so a leading 1 is the country code
    if not digits:
        return None
    return PhoneNumber.e164.startswith("+1" + digits, autoescape=True)


class PhoneSearchMixin:
    """For a ModelView: search a phone-like term through `phone_search_condition`, other text as usual.

    The view defines `phone_search_condition(condition)`, turning a condition on `PhoneNumber` into one on
    its own model (e.g. `Business.id IN (SELECT business_id ...)`), so no join is added to the list query.
    """

    def phone_search_condition(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        raise NotImplementedError

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any, search: str) -> Any:
        condition = phone_condition(search)
        if condition is None:
            return super()._apply_search(query, count_query, joins, count_joins, search)  # type: ignore[misc]
        where = self.phone_search_condition(condition)
        query = query.filter(where)
        if count_query is not None:
            count_query = count_query.filter(where)
        return query, count_query, joins, count_joins
