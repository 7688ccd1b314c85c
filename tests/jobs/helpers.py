"""Test data and look-ups shared by the jobs tests."""

from __future__ import annotations

from webapp.extensions import db
from webapp.jobs.provision import friendly_name_for
from webapp.models import Activity, Business, PhoneNumber
from webapp.twilio_client import TwilioNumber, get_client

VOICE_URL = "http://localhost:3000/voice"
"""The voice URL the tests' settings expect (the default TWILIO_VOICE_URL)."""

ELSEWHERE = "https://elsewhere.example.com/voice"
"""A voice URL someone set by hand in Twilio's console: drift."""


def count(model: type) -> int:
    """Return how many rows `model` has, read in a new transaction."""
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def numbers_of(business_id) -> list[PhoneNumber]:
    """Return the numbers recorded for a business (zero or one)."""
    db.session.rollback()
    return list(db.session.scalars(db.select(PhoneNumber).filter_by(business_id=business_id)))


def activities() -> list[Activity]:
    """Return every Activity, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(db.select(Activity).order_by(Activity.created_at)))


def buy_at_sandbox(business: Business, area_code: str = "415", voice_url: str = VOICE_URL) -> TwilioNumber:
    """Buy a number for `business` at the sandbox, as the provision job names it, without recording it."""
    return get_client().provision_number(
        area_code, friendly_name=friendly_name_for(business), voice_url=voice_url
    )


def record(business: Business, number: TwilioNumber, **fields) -> PhoneNumber:
    """Record `number` as the business's, as a provision would have."""
    row = PhoneNumber(
        business=business,
        e164=number.phone_number,
        twilio_sid=number.sid,
        capabilities=dict(number.capabilities),
        voice_url=number.voice_url,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
