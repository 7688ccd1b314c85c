"""Twilio's Pricing API for phone numbers, as `pricing.twilio.com/v1/PhoneNumbers/Countries/{IsoCountry}`."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox import errors
from webapp.sandbox.errors import TwilioError

bp = Blueprint("pricing", __name__, url_prefix="/v1/PhoneNumbers/Countries")

US_PRICES = {"local": "1.15", "toll free": "2.15", "mobile": "1.15"}
"""What a US number costs a month in the sandbox, in USD, by Twilio's names for the number types."""


@bp.get("/<iso_country>")
def phone_number_prices(iso_country: str) -> Response:
    """Return the monthly price of each type of number in the country; only `US` has prices."""
    if iso_country != "US":
        raise TwilioError(
            404,
            errors.NOT_FOUND,
            f"The requested resource /PhoneNumbers/Countries/{iso_country} was not found",
        )
    return jsonify(
        country="United States",
        iso_country="US",
        phone_number_prices=[
            {"number_type": kind, "base_price": price, "current_price": price}
            for kind, price in US_PRICES.items()
        ],
        price_unit="USD",
        url=request.base_url,
    )
