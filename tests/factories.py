"""Small helpers that create test data; each call makes new rows, nothing is shared between tests."""

from __future__ import annotations

import itertools

from webapp.extensions import db
from webapp.models import Business, BusinessStatus, NumberEvent, NumberHistory, PhoneNumber

_sequence = itertools.count(1)


def make_business(
    name: str | None = None, status: BusinessStatus = BusinessStatus.ACTIVE, **fields
) -> Business:
    """Create and commit a business (active by default)."""
    business = Business(name=name or f"Business {next(_sequence)}", status=status, **fields)
    db.session.add(business)
    db.session.commit()
    return business


def unique_e164() -> str:
    """A fresh valid number in the 555 exchange."""
    return f"+1415555{next(_sequence) % 10_000:04d}"


def unique_sid() -> str:
    """A fresh valid Twilio number SID."""
    return f"PN{next(_sequence):032x}"


def make_number(business: Business | None = None, **fields) -> PhoneNumber:
    """Create and commit a number for `business` (a new active business by default)."""
    number = PhoneNumber(
        business=business or make_business(),
        e164=fields.pop("e164", None) or unique_e164(),
        twilio_sid=fields.pop("twilio_sid", None) or unique_sid(),
        capabilities=fields.pop("capabilities", {"voice": True, "sms": True, "mms": False, "fax": False}),
        **fields,
    )
    db.session.add(number)
    db.session.commit()
    return number


def record_release(number: PhoneNumber, reason: str | None = None) -> None:
    """Remove the number's row as a release does (its `released` history row first), without asking
    Twilio: for tests that need a row gone while the number stays at Twilio, or a business without one."""
    db.session.add(NumberHistory.of(number, NumberEvent.RELEASED, None, reason=reason))
    db.session.flush()
    db.session.delete(number)
    db.session.commit()
