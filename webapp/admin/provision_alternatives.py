"""What a failed provision offers besides Retry: numbers near the area code it wanted, in its state, and
"Choose a number…", each a search on the business's choose-number page (web process)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from webapp.jobs.reads.nearby_numbers import NearbyArea, nearby_areas
from webapp.models import Activity, ActivityKind, ActivityStatus, Business


@dataclass(frozen=True)
class Alternative:
    """A link to numbers the business could have instead: what it shows, and the search that shows it."""

    label: str
    url: str


def nearby_searches(business: Business, area_code: str | None) -> list[Alternative]:
    """Return the searches for numbers near `area_code`, then elsewhere in its state (none without one)."""
    return [
        Alternative(
            f"Numbers {nearby.label}",
            url_for("business.choose_number_view", **search_fields(business, nearby)),
        )
        for nearby in (nearby_areas(area_code) if area_code else [])
    ]


def search_fields(business: Business, nearby: NearbyArea) -> dict[str, Any]:
    """Return the choose-number page's query that searches the nearby area for the business."""
    area = nearby.area
    fields = {"near_number": area.near_number, "distance": area.distance, "region": area.region}
    given = {name: str(value) for name, value in fields.items() if value is not None}
    return {"id": str(business.id), "searched": "1", **given}


def provision_alternatives(activity: Activity) -> list[Alternative]:
    """Return what a failed provision offers instead (none for any other Activity, or a business that
    may not get a number now): searches near the area code it wanted, then "Choose a number…"."""
    business = activity.business
    failed = activity.kind == ActivityKind.PROVISION and activity.status == ActivityStatus.FAILED
    if not failed or business is None or business.why_no_number() is not None:
        return []
    wanted = (activity.result or {}).get("requested_area_code") or business.preferred_area_code
    choose = Alternative("Choose a number…", url_for("business.choose_number_view", id=business.id))
    return [*nearby_searches(business, wanted), choose]
