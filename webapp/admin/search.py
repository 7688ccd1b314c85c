"""Phone-aware search: a phone-like term is normalised and matched on the stored E.164, not `CAST … ILIKE`.

`415-555-1234`, `(415) 555 1234`, `4155551234` and `+14155551234` all become `+14155551234` and match it
exactly (a unique-index lookup); a shorter run of digits such as `415 555` matches by prefix, written as
the range `+1415555 <= e164 < +1415556`. Every stored number is `+1` and ten digits (a check constraint),
so the range is the prefix in any collation, and the unique index on `e164` reads it in order: a
`LIKE '+1415555%'` needs another index, and under ORDER BY e164 the planner walked the unique index
instead (376 ms at 667,000 numbers, against 0.1 ms for the range). Any other text goes to the
view's `text_search_condition`, or else to Flask-Admin's search over the view's text columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement

from webapp.models.phone_format import try_normalise_e164

Matcher = Callable[[Any], ColumnElement[bool]]
"""Gives the condition "this E.164 column holds a number the search names"."""

PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]+$")
"""Only digits and the punctuation people type in phone numbers."""

MIN_PREFIX_DIGITS = 3
"""Fewer digits than an area code are too loose to search numbers by."""


def phone_matcher(search: str) -> Matcher | None:
    """Return the matcher of a phone-like search, to apply to any E.164 column, or None for other text."""
    text = search.strip()
    if not PHONE_LIKE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PREFIX_DIGITS:
        return None
    e164 = try_normalise_e164(text)
    if e164 is not None:
        return lambda column: column == e164
    if text.startswith("+") and not digits.startswith("1"):
        return None  # another country: Switchboard holds +1 numbers only
    if digits.startswith("1"):
        digits = digits[1:]  # US area codes never start with 1, so a leading 1 is the country code
    if not digits:
        return None
    return lambda column: prefix_range(column, "+1" + digits)


def prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix` (`+1` and digits), as a range an ordinary B-tree index serves."""
    digits = prefix[2:]
    if set(digits) == {"9"}:
        return column >= prefix  # nothing sorts after +1999...: no upper bound needed
    following = str(int(digits) + 1).zfill(len(digits))
    return (column >= prefix) & (column < "+1" + following)


class PhoneSearchMixin:
    """For a ModelView: search a phone-like term through `phone_search_condition`, other text through
    `text_search_condition` or as usual.

    The view defines `phone_search_condition(matches)`, applying the matcher to the E.164 columns that name
    its records' numbers (e.g. `Business.id IN (SELECT business_id ... WHERE matches(PhoneNumber.e164))`),
    so no join is added to the list query.
    """

    def phone_search_condition(self, matches: Matcher) -> ColumnElement[bool]:
        raise NotImplementedError

    def text_search_condition(self, search: str) -> ColumnElement[bool] | None:
        """The condition for a term that is no number; None: Flask-Admin's search over its columns."""
        return None

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any, search: str) -> Any:
        matches = phone_matcher(search)
        where = self.phone_search_condition(matches) if matches else self.text_search_condition(search)
        if where is None:
            return super()._apply_search(query, count_query, joins, count_joins, search)  # type: ignore[misc]
        query = query.filter(where)
        if count_query is not None:
            count_query = count_query.filter(where)
        return query, count_query, joins, count_joins
