"""Business: validation of every field, and defaults."""

from __future__ import annotations

import pytest

from tests.factories import make_business, make_number
from webapp.models import Business, BusinessStatus, ValidationError


def test_name_is_trimmed_and_status_defaults_to_trial(app):
    business = Business(name="  Acme Plumbing  ")
    assert business.name == "Acme Plumbing"
    from webapp.extensions import db

    db.session.add(business)
    db.session.commit()
    assert business.status == BusinessStatus.TRIAL


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Name is required"),
        ("name", "   ", "Name is required"),
        ("name", "x" * 201, "at most 200"),
        ("status", "paying", "Status must be one of"),
        ("contact_email", "not-an-email", "Contact e-mail is not valid"),
        ("preferred_area_code", "12", "3 digits"),
        ("preferred_area_code", "123", "first from 2 to 9"),
        ("preferred_area_code", "41a", "3 digits"),
        ("preferred_area_code", "4155", "3 digits"),
    ],
)
def test_bad_values_name_the_field(app, field, value, message):
    with pytest.raises(ValidationError) as error:
        Business(**{"name": "Acme", field: value})
    assert error.value.field == field
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("name", "x" * 200, "x" * 200),
        ("contact_email", " Owner@Example.com ", "Owner@example.com"),
        ("contact_email", "", None),
        ("preferred_area_code", "415", "415"),
        ("preferred_area_code", " ", None),
        ("status", "active", BusinessStatus.ACTIVE),
    ],
)
def test_good_values_are_normalised(app, field, value, stored):
    assert getattr(Business(**{"name": "Acme", field: value}), field) == stored


def test_eligible_only_when_active_and_without_number(app):
    assert make_business(status=BusinessStatus.ACTIVE).why_no_number() is None
    assert make_business(status=BusinessStatus.TRIAL).why_no_number() is not None
    assert make_number().business.why_no_number() is not None
