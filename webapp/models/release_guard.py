"""Database triggers that keep a number's row while Twilio still bills for the number.

A `phone_numbers` row mirrors a number Twilio sells us monthly: were the row deleted behind Twilio's back,
nobody would see or release the number again. Two rules, kept by the database itself so that no path
escapes them (the console, the CLI, the ORM's cascades, bulk SQL, a shell):

- `business_holds_number`: a business that has a number cannot be deleted. Release the number or move it
  to another business first. (The foreign key keeps `ON DELETE CASCADE`, which this trigger makes
  unreachable; a trigger needs no rebuild of `phone_numbers` on SQLite, where changing a foreign key would.)
- `number_not_released`: a number's row is deleted only once a `released` history row with its SID exists.
  The release and replace jobs write that row first (`jobs/tasks/release.py`, `forget`), in the same
  transaction: that is the one door, and writing the record of a release is how a path opens it.

A refused delete is an integrity error carrying the rule's name (PostgreSQL: the error's constraint name;
SQLite: the message's first word), which `persistence.validation_error_for` turns into a sentence.
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

BUSINESS_HOLDS_NUMBER = "business_holds_number"
NUMBER_NOT_RELEASED = "number_not_released"

POSTGRESQL_TRIGGERS = (
    f"""
CREATE OR REPLACE FUNCTION businesses_refuse_delete_with_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM phone_numbers WHERE business_id = OLD.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation', CONSTRAINT = '{BUSINESS_HOLDS_NUMBER}',
            MESSAGE = 'business ' || OLD.id || ' holds a phone number: release or move it first';
    END IF;
    RETURN OLD;
END $$
""",
    f"CREATE TRIGGER {BUSINESS_HOLDS_NUMBER} BEFORE DELETE ON businesses "
    "FOR EACH ROW EXECUTE FUNCTION businesses_refuse_delete_with_number()",
    f"""
CREATE OR REPLACE FUNCTION phone_numbers_refuse_delete_unreleased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM number_history WHERE twilio_sid = OLD.twilio_sid AND event = 'released'
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation', CONSTRAINT = '{NUMBER_NOT_RELEASED}',
            MESSAGE = 'phone number ' || OLD.twilio_sid || ' has no recorded release';
    END IF;
    RETURN OLD;
END $$
""",
    f"CREATE TRIGGER {NUMBER_NOT_RELEASED} BEFORE DELETE ON phone_numbers "
    "FOR EACH ROW EXECUTE FUNCTION phone_numbers_refuse_delete_unreleased()",
)

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {BUSINESS_HOLDS_NUMBER} BEFORE DELETE ON businesses "
    "WHEN EXISTS (SELECT 1 FROM phone_numbers WHERE business_id = OLD.id) "
    f"BEGIN SELECT RAISE(ABORT, '{BUSINESS_HOLDS_NUMBER}: the business holds a phone number'); END",
    f"CREATE TRIGGER {NUMBER_NOT_RELEASED} BEFORE DELETE ON phone_numbers "
    "WHEN NOT EXISTS (SELECT 1 FROM number_history WHERE twilio_sid = OLD.twilio_sid AND event = 'released') "
    f"BEGIN SELECT RAISE(ABORT, '{NUMBER_NOT_RELEASED}: the number has no recorded release'); END",
)

CREATE_TRIGGERS = {"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}
"""The statements that create the triggers, by dialect (one statement each)."""

DROP_TRIGGERS = {
    "postgresql": (
        f"DROP TRIGGER IF EXISTS {BUSINESS_HOLDS_NUMBER} ON businesses",
        "DROP FUNCTION IF EXISTS businesses_refuse_delete_with_number()",
        f"DROP TRIGGER IF EXISTS {NUMBER_NOT_RELEASED} ON phone_numbers",
        "DROP FUNCTION IF EXISTS phone_numbers_refuse_delete_unreleased()",
    ),
    "sqlite": tuple(
        f"DROP TRIGGER IF EXISTS {name}" for name in (BUSINESS_HOLDS_NUMBER, NUMBER_NOT_RELEASED)
    ),
}


def guards_releases(table: Table) -> None:
    """Create the triggers after `table` (number_history, the last table they read) when the models' schema
    is created directly."""
    for dialect, statements in CREATE_TRIGGERS.items():
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
