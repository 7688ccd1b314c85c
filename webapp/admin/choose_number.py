"""A business's "Choose a number…" page: search Twilio's numbers for sale, then buy the one picked.

The search is a read and runs in the request, bounded by the client's timeouts; picking a number only
enqueues the provision job for exactly that number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from werkzeug.wrappers import Response

from webapp.admin.base import flash_activity, reporting_refusals, requester
from webapp.admin.provision_alternatives import nearby_searches
from webapp.jobs.enqueue import enqueue_provision
from webapp.jobs.reads.number_costs import PricesState, monthly_prices
from webapp.jobs.reads.number_search import (
    NUMBER_TYPE_LABELS,
    TWILIO_RESULTS_MAX,
    NumberSearch,
    search_numbers,
)
from webapp.models import Business, Role, ValidationError
from webapp.models.phone_format import format_national
from webapp.twilio_client import AvailableNumber

NOTHING_CHOSEN = "Choose a number in the search results to buy: nothing was bought."
"""The refusal of a "Buy this number" that names no number (a provision without one would buy any)."""


def price_sentence(number_type: str) -> str:
    """What a number of `number_type` (a search's `local`, `toll-free`, `mobile`) costs a month, in words,
    from the prices a job keeps (never asking Twilio in the request)."""
    kind = NUMBER_TYPE_LABELS.get(number_type, "Local").lower()
    priced = monthly_prices()
    if priced is PricesState.READING:
        return f"The monthly price of a {kind} number is being read from Twilio; reload in a moment."
    if isinstance(priced, PricesState):
        return f"The monthly price of a {kind} number is unknown: Twilio's prices could not be read."
    prices, currency = priced
    price = prices.get(number_type.replace("-", " "))  # Twilio's Pricing API says "toll free"
    if price is None:
        return f"Twilio gives no monthly price for a {kind} number."
    return f"A {kind} number costs {price:.2f} {currency} a month."


class ChooseNumberMixin:
    """Adds `choose_number_view` to the business view (operators only; see `method_roles`)."""

    method_roles: ClassVar[dict[str, Role]] = {"choose_number_view": Role.OPERATOR}

    # Given by the view this is mixed into.
    get_one: Callable[[str | None], Business | None]
    provision_refusal: Callable[[Business], str | None]
    render: Callable[..., str]

    @expose("/choose-number/", methods=("GET", "POST"))
    def choose_number_view(self) -> Any:
        """GET: the search form and, once searched, Twilio's results. POST: buy the number picked."""
        business = self.get_one(request.args.get("id"))
        if business is None:
            abort(404)
        if request.method == "POST":
            return self._buy_chosen(business)
        refusal = self.provision_refusal(business)
        found: list[AvailableNumber] = []
        error = None
        searched = "searched" in request.args and not refusal
        if searched:
            try:
                found = search_numbers(NumberSearch.from_form(request.args))
            except ValidationError as refused:
                error = refused.message
        return self.render(
            "admin/business/choose_number.html",
            business=business,
            refusal=refusal,
            form=request.args,
            number_types=NUMBER_TYPE_LABELS,
            price=price_sentence(request.args.get("number_type", "local")),
            searched=searched,
            found=found,
            error=error,
            results_max=TWILIO_RESULTS_MAX,
            format_national=format_national,
            nearby=nearby_searches(business, request.args.get("area_code", "").strip() or None)
            if searched and not found and not error
            else [],
        )

    def _buy_chosen(self, business: Business) -> Response:
        chosen = request.form.get("phone_number", "").strip()
        if not chosen:
            flash(NOTHING_CHOSEN, "danger")
            return redirect(url_for(".choose_number_view", id=business.id))
        with reporting_refusals():
            activity = enqueue_provision(business, requester(), phone_number=chosen)
            flash_activity(f"Buying {format_national(chosen)} for {business.name}.", activity)
        return redirect(url_for(".details_view", id=business.id))
