"""Where a US area code is: its state, and a number in it to search near (any process)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import geocoder

US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
    "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
    "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
    "Washington D.C.": "DC",
}  # fmt: skip
"""The two-letter code Twilio's `InRegion` takes for each state that `phonenumbers` names."""


def number_in_area_code(area_code: str) -> str:
    """Return a number of the area code to search near (Twilio's `NearNumber`): its first fictional
    line, `+1 AAA 555-0100` (tried against the sandbox and Twilio's spec, not a live account)."""
    return f"+1{area_code}5550100"


def area_code_state(area_code: str) -> str | None:
    """Return the two-letter US state of an area code, as `phonenumbers` geocodes it, or None when it
    knows none (an unassigned or test area code, or one outside the US)."""
    where = geocoder.description_for_number(phonenumbers.parse(number_in_area_code(area_code)), "en")
    # The geocoder names either a state ("California") or a city and its state ("San Francisco, CA").
    _, comma, state = where.rpartition(", ")
    return state if comma and state in US_STATES.values() else US_STATES.get(where)
