"""The move page's business picker: Flask-Admin's ajax loader (select2) over the businesses that can take a
number, found by the start of their name (web process).

At a million businesses a full list is out of the question; each keystroke asks for one page of names
starting with what was typed among the active businesses without a number, through the partial index
`ix_businesses_awaiting_name` (`lower(name)`, then id; see `name_order` in `webapp/models/business.py`),
read in order and stopped after at most `PICKER_PAGE` rows, never deeper than `PICKER_DEPTH`.
"""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Business
from webapp.models.business import awaiting_number, name_order, name_starts_with
from webapp.models.lookup import parse_uuid

PICKER_NAME = "move_target"
"""The loader's name in the view's `form_ajax_refs` (its lookups are `ajax/lookup/?name=move_target`)."""

PICKER_PAGE = 10
"""Businesses per lookup: what select2 asks for (Flask-Admin's form.js), and the most a lookup returns."""

PICKER_DEPTH = 100
"""How far down the matches the picker scrolls: more than that, and the agent types more letters."""


class BusinessPicker(QueryAjaxModelLoader):
    """Businesses that can take a number (active, without one) whose name starts with the typed text,
    case aside, in name order; a pasted business id finds that business."""

    def __init__(self) -> None:
        super().__init__(
            PICKER_NAME,
            db.session,
            Business,
            fields=["name"],
            placeholder="Type the start of the business's name",
            minimum_input_length=1,
        )

    def format(self, model: Any) -> tuple[Any, str] | None:
        if model is None:
            return None
        return str(model.id), model.name

    def get_one(self, pk: Any) -> Business | None:
        business_id = parse_uuid(str(pk))
        return db.session.get(Business, business_id) if business_id else None

    def get_list(self, term: str, offset: int = 0, limit: int = PICKER_PAGE) -> list[Business]:
        term = (term or "").strip()
        business_id = parse_uuid(term)
        matching = Business.id == business_id if business_id else name_starts_with(term)
        offset = min(max(offset or 0, 0), PICKER_DEPTH)
        query = (
            select(Business)
            .where(awaiting_number(), matching)
            .order_by(name_order(db.engine.dialect.name), Business.id)
            .offset(offset)
            .limit(min(max(limit, 1), PICKER_PAGE))
        )
        return list(db.session.scalars(query))
