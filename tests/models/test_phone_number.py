"""PhoneNumber: normalisation, validation, formatting, the active() helper and races."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.factories import make_business, make_number, unique_sid
from webapp.extensions import db
from webapp.models import PhoneNumber, ValidationError, commit_or_raise


@pytest.mark.parametrize(
    "text_in",
    [
        "(415) 555-1234",
        "415.555.1234",
        "+1 415 555 1234",
        "4155551234",
        "415-555-1234",
        "+14155551234",
        "1 (415) 555-1234",
    ],
)
def test_common_formats_are_normalised_to_e164(app, text_in):
    number = PhoneNumber(e164=text_in, twilio_sid=unique_sid(), business=make_business())
    assert number.e164 == "+14155551234"
    assert number.area_code == "415"


@pytest.mark.parametrize(
    ("text_in", "message"),
    [
        ("415555123", "10 digits"),
        ("+44 20 7946 0958", "not a US number"),
        ("not a number", "not a phone number"),
        ("", "required"),
        ("+1415555123456", "10 digits"),
    ],
)
def test_bad_numbers_are_refused_with_the_field_named(app, text_in, message):
    with pytest.raises(ValidationError) as error:
        PhoneNumber(e164=text_in, twilio_sid=unique_sid())
    assert error.value.field == "e164"
    assert message in str(error.value)


@pytest.mark.parametrize(
    "sid", ["pn" + "a" * 32, "PN" + "a" * 31, "PN" + "g" * 32, "CA" + "a" * 32, "", "PN" + "a" * 33]
)
def test_malformed_sids_are_refused(app, sid):
    with pytest.raises(ValidationError) as error:
        PhoneNumber(e164="+14155551234", twilio_sid=sid)
    assert error.value.field == "twilio_sid"


def test_sid_keeps_its_case(app):
    sid = "PN" + "aB" * 16
    assert make_number(twilio_sid=sid).twilio_sid == sid


def test_formatted_reads_like_a_us_number(app):
    assert make_number(e164="+14155551234").formatted == "(415) 555-1234"


def test_area_code_is_derived_from_the_number(app):
    assert make_number(e164="(212) 555-0100").area_code == "212"


def test_defaults(app):
    number = make_number()
    assert number.country == "US"
    assert number.webhook_status == "unknown"
    assert number.created_at.tzinfo is not None


def test_unknown_capability_keys_are_kept(app):
    number = make_number(capabilities={"voice": True, "sms": False, "beta_feature": "x"})
    db.session.expire_all()
    assert db.session.get(PhoneNumber, number.id).capabilities == {
        "voice": True,
        "sms": False,
        "beta_feature": "x",
    }


def test_non_boolean_capability_is_refused(app):
    with pytest.raises(ValidationError, match="voice"):
        PhoneNumber(e164="+14155551234", twilio_sid=unique_sid(), capabilities={"voice": "yes"})


@pytest.mark.parametrize(
    ("field", "message"),
    [("e164", "already recorded"), ("twilio_sid", "already recorded")],
)
def test_duplicates_give_a_clear_error_and_change_nothing(app, field, message):
    first = make_number()
    duplicate = PhoneNumber(
        business=make_business(),
        e164=first.e164 if field == "e164" else "+14155550199",
        twilio_sid=first.twilio_sid if field == "twilio_sid" else unique_sid(),
    )
    db.session.add(duplicate)
    with pytest.raises(ValidationError) as error:
        commit_or_raise(db.session)
    assert error.value.field == field
    assert message in str(error.value)
    assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 1


def test_one_number_per_business(app):
    business = make_business()
    make_number(business)
    db.session.add(PhoneNumber(business_id=business.id, e164="+14155550111", twilio_sid=unique_sid()))
    with pytest.raises(ValidationError, match="already has a phone number"):
        commit_or_raise(db.session)


def test_database_refuses_a_malformed_number_written_around_the_orm(app):
    business = make_business()
    with pytest.raises(IntegrityError, match=r"(?i)check"), db.engine.begin() as connection:
        connection.execute(
            PhoneNumber.__table__.insert().values(
                id=business.id,
                business_id=business.id,
                e164="12345",
                twilio_sid=unique_sid(),
                country="US",
                area_code="123",
                capabilities={},
                webhook_status="unknown",
                created_at=business.created_at,
                updated_at=business.created_at,
            )
        )


@pytest.mark.postgres_only
def test_concurrent_inserts_of_one_number_leave_one_row_and_one_clear_error(app):
    businesses = [make_business().id for _ in range(2)]
    engine = create_engine(db.engine.url, pool_size=4)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def insert(business_id):
        with Session(engine) as session:
            session.add(PhoneNumber(business_id=business_id, e164="+14155550123", twilio_sid=unique_sid()))
            barrier.wait()
            try:
                commit_or_raise(session)
                outcomes.append("saved")
            except ValidationError as error:
                outcomes.append(error.message)

    threads = [threading.Thread(target=insert, args=(business_id,)) for business_id in businesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert sorted(outcomes) == ["This phone number is already recorded for a business.", "saved"]
    assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 1
