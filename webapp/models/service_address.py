"""A business's service address: where its calls come from, and what Twilio registers for 911 calls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from webapp.models.base import ValidationError

US_REGIONS = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
"""The two-letter codes of the US states, DC and the territories Twilio registers emergency addresses in."""

STREET_MAX = 200
CITY_MAX = 100
ZIP_CODE = re.compile(r"\d{5}(-\d{4})?")


def _text(field: str, label: str, value: str | None, longest: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError(field, f"{label} is required.")
    if len(text) > longest:
        raise ValidationError(field, f"{label} must be at most {longest} characters.")
    return text


@dataclass(frozen=True)
class ServiceAddress:
    """A US street address, normalised: spaces collapsed, the state in capitals."""

    street: str
    city: str
    region: str
    postal_code: str
    country: ClassVar[str] = "US"

    @classmethod
    def checked(
        cls, street: str | None, city: str | None, region: str | None, postal_code: str | None
    ) -> ServiceAddress:
        """Return the address normalised.

        Raises:
            ValidationError: a part is missing or malformed (the first one, named in the sentence).
        """
        state = (region or "").strip().upper()
        if state not in US_REGIONS:
            raise ValidationError(
                "region", f"State must be a US state's two-letter code, like CA; got {region or 'nothing'!r}."
            )
        code = (postal_code or "").strip()
        if not ZIP_CODE.fullmatch(code):
            raise ValidationError(
                "postal_code", f"ZIP code must be 5 digits (or ZIP+4, 94103-1234); got {code or 'nothing'!r}."
            )
        return cls(
            street=_text("street", "Street", street, STREET_MAX),
            city=_text("city", "City", city, CITY_MAX),
            region=state,
            postal_code=code,
        )

    def one_line(self) -> str:
        """The address as one line: `1 Main St, Springfield, IL 62701`."""
        return f"{self.street}, {self.city}, {self.region} {self.postal_code}"
