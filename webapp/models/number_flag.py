"""`businesses.has_number`, kept by database triggers on phone_numbers, so "awaiting a number" needs no join.

The dashboard's backlog (active businesses without a number) was an anti-join: at a million businesses its
capped count probed phone_numbers for every active business it passed. With the flag, a partial index on
`created_at` holding only the awaiting businesses serves both the count and the oldest-first list. The
triggers keep the flag right whatever writes the numbers (the ORM, bulk inserts, COPY, a cascade): a number
inserted sets it, deleted clears it, moved to another business moves it (a business has at most one).
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

POSTGRESQL_TRIGGERS = (
    """
CREATE OR REPLACE FUNCTION phone_numbers_keep_has_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE businesses SET has_number = false WHERE id = OLD.business_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE businesses SET has_number = true WHERE id = NEW.business_id;
    END IF;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER keep_has_number AFTER INSERT OR DELETE OR UPDATE OF business_id ON phone_numbers "
    "FOR EACH ROW EXECUTE FUNCTION phone_numbers_keep_has_number()",
)

SQLITE_TRIGGERS = (
    "CREATE TRIGGER keep_has_number_insert AFTER INSERT ON phone_numbers BEGIN "
    "UPDATE businesses SET has_number = 1 WHERE id = NEW.business_id; END",
    "CREATE TRIGGER keep_has_number_delete AFTER DELETE ON phone_numbers BEGIN "
    "UPDATE businesses SET has_number = 0 WHERE id = OLD.business_id; END",
    "CREATE TRIGGER keep_has_number_move AFTER UPDATE OF business_id ON phone_numbers BEGIN "
    "UPDATE businesses SET has_number = 0 WHERE id = OLD.business_id; "
    "UPDATE businesses SET has_number = 1 WHERE id = NEW.business_id; END",
)

DROP_TRIGGERS = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS keep_has_number ON phone_numbers",
        "DROP FUNCTION IF EXISTS phone_numbers_keep_has_number()",
    ),
    "sqlite": tuple(
        f"DROP TRIGGER IF EXISTS keep_has_number_{name}" for name in ("insert", "delete", "move")
    ),
}

BACKFILL = (
    "UPDATE businesses SET has_number = EXISTS "
    "(SELECT 1 FROM phone_numbers WHERE phone_numbers.business_id = businesses.id)"
)
"""Set the flag from the numbers that exist (the migration runs it once)."""


CREATE_TRIGGERS = {"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}
"""The statements that create the triggers, by dialect (one statement each)."""


def keeps_has_number(table: Table) -> None:
    """Create the triggers after `table` (phone_numbers) when the models' schema is created directly."""
    for dialect, statements in CREATE_TRIGGERS.items():
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
