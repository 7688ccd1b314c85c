"""`businesses.has_number` follows the numbers whatever writes them: inserts, deletes, moves, bulk SQL."""

from __future__ import annotations

from sqlalchemy import delete, insert

from tests.factories import make_business, make_number, record_release, unique_e164, unique_sid
from webapp.admin.dashboard import backlog_total
from webapp.extensions import db
from webapp.models import Business, NumberEvent, NumberHistory, PhoneNumber


def flags(*businesses: Business) -> list[bool]:
    db.session.rollback()
    return [db.session.get(Business, business.id).has_number for business in businesses]


def test_a_number_sets_the_flag_and_deleting_it_clears_it(app):
    business = make_business()
    assert flags(business) == [False]

    number = make_number(business)
    assert flags(business) == [True]

    record_release(db.session.get(PhoneNumber, number.id))
    assert flags(business) == [False]


def test_moving_a_number_moves_the_flag(app):
    first, second = make_business(), make_business()
    number = make_number(first)

    db.session.get(PhoneNumber, number.id).business_id = second.id
    db.session.commit()

    assert flags(first, second) == [False, True]


def test_bulk_sql_keeps_the_flag_too(app):
    businesses = [make_business() for _ in range(3)]
    rows = [
        {"business_id": b.id, "e164": unique_e164(), "area_code": "415", "twilio_sid": unique_sid()}
        for b in businesses[:2]
    ]
    db.session.execute(insert(PhoneNumber), [{**row, "capabilities": {}} for row in rows])
    db.session.commit()
    assert flags(*businesses) == [True, True, False]
    assert backlog_total(None) == 1

    released = {"event": NumberEvent.RELEASED, "e164": rows[0]["e164"], "twilio_sid": rows[0]["twilio_sid"]}
    db.session.execute(insert(NumberHistory), [{**released, "business_name": businesses[0].name}])
    db.session.execute(delete(PhoneNumber).where(PhoneNumber.business_id == businesses[0].id))
    db.session.commit()
    assert flags(*businesses) == [False, True, False]
    assert backlog_total(None) == backlog_total(10) == 2
