"""The numbers businesses no longer have: the admins' "Released numbers" list, and each business's
"Numbers this business had"."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from webapp.admin import formatters
from webapp.admin.base import SecureModelView
from webapp.extensions import db
from webapp.models import Business, NumberEvent, NumberHistory, Role

PAST_NUMBERS_SHOWN = 20
"""How many of a business's past numbers its page lists."""


class PastNumbersMixin:
    """Gives the business view `past_numbers(business)` for its page."""

    def past_numbers(self, business: Business) -> list[NumberHistory]:
        """The numbers the business released, moved away or received by a move, newest first."""
        query = (
            select(NumberHistory)
            .where(or_(NumberHistory.business_id == business.id, NumberHistory.moved_to_id == business.id))
            .options(joinedload(NumberHistory.by), joinedload(NumberHistory.moved_to))
            .order_by(NumberHistory.happened_at.desc())
            .limit(PAST_NUMBERS_SHOWN)
        )
        return list(db.session.scalars(query))


class ReleasedNumberView(SecureModelView):
    """Every number released to Twilio: which, whose, when, by whom, why (admins only)."""

    read_role = Role.ADMIN
    can_create = False
    can_edit = False
    can_delete = False
    count_cap = None
    column_list = ("e164", "twilio_sid", "business_name", "happened_at", "by", "reason", "note")
    column_labels: ClassVar[dict[str, str]] = {
        "e164": "Number",
        "twilio_sid": "Twilio SID",
        "business_name": "Business",
        "happened_at": "Released",
        "by": "By",
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "e164": lambda view, context, model, name: model.formatted,
        "happened_at": formatters.timestamp,
        "by": lambda view, context, model, name: model.by or "—",
    }
    column_searchable_list = ("e164", "twilio_sid", "business_name")
    column_default_sort = ("happened_at", True)

    def get_query(self) -> Any:
        return super().get_query().filter(NumberHistory.event == NumberEvent.RELEASED)

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(NumberHistory.event == NumberEvent.RELEASED)
