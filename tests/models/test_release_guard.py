"""A number's row leaves only with its release, and a business holding one is never deleted, whatever path
asks: the ORM, bulk SQL, or a connection around the ORM."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import make_number, record_release
from webapp.extensions import db
from webapp.models import Business, PhoneNumber, ValidationError, commit_or_raise


def still_recorded(number: PhoneNumber) -> bool:
    db.session.rollback()
    db.session.expire_all()
    row = db.session.get(PhoneNumber, number.id)
    return row is not None and db.session.get(Business, row.business_id) is not None


def test_deleting_a_business_with_a_number_is_refused_with_what_to_do(app):
    number = make_number()
    business = number.business
    assert business.deletion_refusal() == (
        f"{business.name} still holds {number.formatted}, which Twilio bills every month: "
        "release the number or move it to another business first, then delete the business."
    )

    db.session.delete(business)
    with pytest.raises(ValidationError, match="release the number or move it to another business first"):
        commit_or_raise(db.session)

    assert still_recorded(number)


def test_the_database_refuses_it_around_the_orm(app):
    number = make_number()
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(db.delete(Business).where(Business.id == number.business_id))
    assert still_recorded(number)


def test_a_number_row_is_not_deleted_without_its_release(app):
    number = make_number()

    db.session.delete(number)
    with pytest.raises(ValidationError, match="removed only by releasing the number"):
        commit_or_raise(db.session)
    assert still_recorded(number)

    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(db.delete(PhoneNumber))
    assert still_recorded(number)


def test_a_released_number_leaves_and_then_its_business_may_be_deleted(app):
    number = make_number()
    business = number.business

    record_release(number)
    assert business.deletion_refusal() is None
    db.session.delete(business)
    commit_or_raise(db.session)

    assert db.session.get(PhoneNumber, number.id) is None and db.session.get(Business, business.id) is None
