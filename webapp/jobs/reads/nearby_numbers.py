"""Where to look when an area code has no numbers to sell: near it, then elsewhere in its state.

The console and the CLI offer these searches after a provision found nothing (web, CLI processes); the
provision job buys from them itself when `PROVISION_FALLBACK` allows (worker processes).
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.models.area_codes import area_code_state, number_in_area_code
from webapp.twilio_client import SearchArea

NEARBY_MILES = 50
"""How far around an area code "near" looks (Twilio's `Distance`; it allows up to 500)."""

RULES = ("near", "region")
"""The places to look, nearest first; `PROVISION_FALLBACK` names how far down this list a provision goes."""


@dataclass(frozen=True)
class NearbyArea:
    """One place to look for numbers instead of an area code: the rule that names it, and where it is."""

    rule: str
    """`near` (within `NEARBY_MILES` of the area code) or `region` (its state)."""
    label: str
    """The place in words: `within 50 miles of area code 628`, `elsewhere in CA`."""
    area: SearchArea


def rules_allowed(setting: str) -> tuple[str, ...]:
    """Return the rules a `PROVISION_FALLBACK` value lets a provision use: none for `off`."""
    return RULES[: RULES.index(setting) + 1] if setting in RULES else ()


def nearby_areas(area_code: str, rules: tuple[str, ...] = RULES) -> list[NearbyArea]:
    """Return the places to look instead of `area_code`, nearest first (no state for an area code that
    `phonenumbers` places in none)."""
    state = area_code_state(area_code)
    places = {
        "near": NearbyArea(
            "near",
            f"within {NEARBY_MILES} miles of area code {area_code}",
            SearchArea(near_number=number_in_area_code(area_code), distance=NEARBY_MILES),
        ),
        "region": NearbyArea("region", f"elsewhere in {state}", SearchArea(region=state)) if state else None,
    }
    return [place for rule in rules if (place := places[rule]) is not None]
