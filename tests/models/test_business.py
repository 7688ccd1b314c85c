"""Business: validation of every field, and defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.factories import make_business, make_number
from webapp.extensions import db
from webapp.models import Business, BusinessStatus, ValidationError
from webapp.models.base import utcnow
from webapp.models.business import awaiting_number


def test_name_is_trimmed_and_status_defaults_to_trial(app):
    business = Business(name="  Acme Plumbing  ")
    assert business.name == "Acme Plumbing"
    db.session.add(business)
    db.session.commit()
    assert business.status == BusinessStatus.TRIAL
    assert (business.has_number, business.cancelled_at) == (False, None)


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
        ("voice_url", "http://assistant.example.com/voice", "must be an https:// URL"),
        ("voice_url", "assistant.example.com/voice", "must be an https:// URL"),
        ("voice_url", "https://" + "a" * 500, "at most 500"),
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
        ("voice_url", " https://assistant.example.com/voice?b=1 ", "https://assistant.example.com/voice?b=1"),
        ("voice_url", "", None),
    ],
)
def test_good_values_are_normalised(app, field, value, stored):
    assert getattr(Business(**{"name": "Acme", field: value}), field) == stored


def test_a_business_reads_as_its_name_and_its_repr_names_it(app):
    business = make_business(name="Acme Plumbing", status=BusinessStatus.TRIAL)

    assert str(business) == "Acme Plumbing"
    assert repr(business) == f"<Business {business.id} 'Acme Plumbing' trial>"


def test_eligible_only_when_active_and_without_number(app):
    assert make_business(status=BusinessStatus.ACTIVE).why_no_number() is None
    assert make_business(status=BusinessStatus.TRIAL).why_no_number() is not None
    assert make_number().business.why_no_number() is not None


def test_statuses_are_stored_in_these_spellings(app):
    for status in BusinessStatus:
        make_business(status=status)

    stored = db.session.execute(text("SELECT status FROM businesses ORDER BY status")).scalars().all()

    assert stored == ["active", "cancelled", "suspended", "trial"]


def save_status(business: Business, status: BusinessStatus) -> None:
    """Set the status as the console's form does, and commit (the stamp is then read back)."""
    business.status = status
    db.session.commit()


def test_cancelled_at_is_stamped_on_cancelling_kept_while_cancelled_and_cleared_otherwise(app):
    business = make_business(status=BusinessStatus.TRIAL)
    assert business.cancelled_at is None

    before = utcnow()
    save_status(business, BusinessStatus.CANCELLED)
    assert before <= business.cancelled_at <= utcnow()

    a_month_ago = utcnow() - timedelta(days=30)
    business.cancelled_at = a_month_ago  # as if cancelled a month ago
    save_status(business, BusinessStatus.CANCELLED)  # the form re-submitted unchanged
    assert business.cancelled_at == a_month_ago

    save_status(business, BusinessStatus.ACTIVE)
    assert business.cancelled_at is None

    before = utcnow()
    save_status(business, BusinessStatus.CANCELLED)
    assert before <= business.cancelled_at <= utcnow()


def test_a_cancelled_business_without_a_stamp_gets_one_when_saved_as_cancelled(app):
    business = make_business(status=BusinessStatus.CANCELLED)
    business.cancelled_at = None  # a row written outside the console
    db.session.commit()

    before = utcnow()
    save_status(business, BusinessStatus.CANCELLED)

    assert before <= business.cancelled_at <= utcnow()


def test_only_a_business_without_a_number_may_be_deleted(app):
    holder, free = make_business("Acme Plumbing"), make_business("Bare Bakery")
    make_number(holder, e164="+14155551234")

    assert free.deletion_refusal() is None
    refusal = holder.deletion_refusal()
    assert refusal is not None and refusal.startswith("Acme Plumbing still holds (415) 555-1234")


def test_the_backlog_is_the_active_businesses_without_a_number(app):
    waiting = make_business("Waiting", status=BusinessStatus.ACTIVE)
    make_number(make_business("Served", status=BusinessStatus.ACTIVE))
    make_business("Trying", status=BusinessStatus.TRIAL)

    found = db.session.scalars(db.select(Business).where(awaiting_number())).all()

    assert found == [waiting]
