"""The Idle numbers page: the numbers at risk of reclaim (`models.idle`), with their monthly price, filters,
CSV export, the monthly cost of the selected rows, and Release selected through the guarded release of the
numbers view (its confirmation, admins only). Every role reads it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from flask import current_app, flash, g, redirect, url_for
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from markupsafe import Markup
from sqlalchemy import func
from werkzeug.wrappers import Response

from webapp.admin import formatters
from webapp.admin.base import SecureModelView
from webapp.admin.filters import YES_NO, BusinessStatusFilter
from webapp.extensions import db
from webapp.jobs.reads.idle_numbers import (
    COLUMNS,
    age_days,
    last_call_text,
    monthly_price,
    reclaim_risk,
    selected_cost,
)
from webapp.jobs.reads.number_costs import PricesState, monthly_prices
from webapp.models import PhoneNumber, Role
from webapp.models.idle import IdleRule, at_risk_numbers


def kept_prices() -> tuple[dict[str, Decimal], str] | PricesState:
    """Twilio's monthly prices as kept, read once per request."""
    if "number_prices" not in g:
        g.number_prices = monthly_prices()
    return g.number_prices


def rule() -> IdleRule:
    """The idle rule of the settings."""
    return IdleRule.configured()


class IdleOnlyFilter(BaseSQLAFilter):
    """Numbers without a single long call in the window (yes), or at risk with one or two (no)."""

    def __init__(self) -> None:
        super().__init__(PhoneNumber.id, "Idle (no long call)", options=YES_NO)

    def validate(self, value: str) -> bool:
        return value in {"yes", "no"}

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        idle = rule().before_window(PhoneNumber.last_long_call_at)
        return query.filter(idle if value == "yes" else ~idle)

    def operation(self) -> str:
        return "equals"


def text_cell(render: Any) -> Any:
    """A list formatter showing `render(number)` as text."""
    return lambda view, context, model, name: render(model)


class IdleNumberView(SecureModelView):
    """Numbers older than `IDLE_MIN_AGE_DAYS` with fewer than 3 completed calls of 12 s or more in
    `IDLE_DAYS` (the idle ones have none), by number."""

    list_template = "admin/idle/list.html"
    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = False
    can_export = True
    count_cap = None  # at-risk numbers are few: their exact count is the page's point
    column_list = (
        "e164",
        "business",
        "business.status",
        "created_at",
        "last_call_at",
        "calls_30d",
        "long_calls",
        "area_code",
    )
    column_export_list = column_list
    column_labels: ClassVar[dict[str, str]] = dict(zip(column_list, ("Number", *COLUMNS[1:]), strict=True))
    column_formatters: ClassVar[dict[str, Any]] = {
        "e164": formatters.formatted_number,
        "business": formatters.business_link,
        "business.status": formatters.business_status,
        "created_at": text_cell(age_days),
        "last_call_at": formatters.last_call,
        "calls_30d": text_cell(lambda number: number.calls_30d or 0),
        "long_calls": text_cell(reclaim_risk),
        "area_code": text_cell(lambda number: monthly_price(number, kept_prices())),
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {
        "e164": text_cell(lambda number: number.e164),
        "business": text_cell(lambda number: number.business.name),
        "business.status": text_cell(lambda number: number.business.status.value),
        "created_at": text_cell(lambda number: str(age_days(number))),
        "last_call_at": text_cell(last_call_text),
        "calls_30d": text_cell(lambda number: str(number.calls_30d or 0)),
        "long_calls": text_cell(reclaim_risk),
        "area_code": text_cell(lambda number: monthly_price(number, kept_prices())),
    }
    column_sortable_list = (
        "e164",
        "created_at",
        "last_call_at",
    )
    """Not by Calls (30 d): see the numbers list (`admin/views.py`)."""
    column_filters = (IdleOnlyFilter(), BusinessStatusFilter(), "area_code")
    column_default_sort = ("e164", False)
    column_searchable_list = ("e164",)
    action_roles: ClassVar[dict[str, Role]] = {"release": Role.ADMIN}

    def search_placeholder(self) -> str:
        return "Phone number (E.164)"

    def get_query(self) -> Any:
        return at_risk_numbers(rule())

    def get_count_query(self) -> Any:
        return db.session.query(func.count(PhoneNumber.id)).filter(rule().at_risk())

    def rule_sentence(self) -> Markup:
        """The rule the page applies, from the settings."""
        config = current_app.config
        return Markup(
            "Numbers kept more than {} days with fewer than 3 completed calls of 12 s or more in the last {} "
            "days (Twilio may reclaim them); <strong>Idle</strong>: not one."
        ).format(config["IDLE_MIN_AGE_DAYS"], config["IDLE_DAYS"])

    @action("cost", "Monthly cost of selected")
    def action_cost(self, ids: list[str]) -> None:
        numbers = self.get_records(ids)
        cost = selected_cost(numbers)
        if cost.monthly is None:
            flash(
                f"{len(numbers)} numbers selected; their cost is unknown until Twilio's prices are read.",
                "info",
            )
        else:
            flash(
                f"{len(numbers)} numbers selected, costing {cost.monthly:.2f} {cost.currency} a month.",
                "info",
            )

    @action("release", "Release selected")
    def action_release(self, ids: list[str]) -> Response:
        return redirect(url_for("phonenumber.release_view", id=ids))
