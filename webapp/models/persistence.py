"""Committing with integrity errors (a race lost to a unique index) turned into clear validation errors."""

from __future__ import annotations

import re
from typing import Any, TypeAlias

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from webapp.models.base import ValidationError
from webapp.models.release_guard import BUSINESS_HOLDS_NUMBER, NUMBER_NOT_RELEASED

AnySession: TypeAlias = Session | scoped_session[Any]
"""A session, or a scoped session such as `db.session` that stands for the current one."""

CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "uq_phone_numbers_e164": ("e164", "This phone number is already recorded for a business."),
    "uq_phone_numbers_twilio_sid": ("twilio_sid", "This Twilio SID is already recorded for a number."),
    "uq_phone_numbers_business_id": ("business_id", "This business already has a phone number."),
    "uq_users_email": ("email", "A user with this e-mail already exists."),
    "uq_activities_provision_in_flight": (
        "business_id",
        "A provision is already in flight for this business.",
    ),
    "uq_activities_resync_in_flight": ("phone_number_id", "A re-sync is already in flight for this number."),
    "uq_activities_number_change_in_flight": (
        "business_id",
        "A change of this business's number (provision, release, move, replace) is already in flight.",
    ),
    BUSINESS_HOLDS_NUMBER: (
        "business",
        "This business holds a phone number, which Twilio bills every month: release the number or move "
        "it to another business first, then delete the business.",
    ),
    NUMBER_NOT_RELEASED: (
        "phone_number",
        "A phone number's record is removed only by releasing the number: use Release on its page.",
    ),
}
# SQLite names the columns, not the index, of a unique-index violation.
CONSTRAINT_MESSAGES["uq_activities_business_id"] = CONSTRAINT_MESSAGES["uq_activities_provision_in_flight"]
CONSTRAINT_MESSAGES["uq_activities_phone_number_id"] = CONSTRAINT_MESSAGES["uq_activities_resync_in_flight"]
"""What to tell a user when a named constraint refuses a row: (field, sentence)."""

SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+)")
SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
SQLITE_TRIGGER = re.compile(r"^(\w+): ")
"""A trigger's refusal names its rule first (release_guard.py)."""


def constraint_name(error: IntegrityError) -> str | None:
    """Return the name of the constraint that refused the row, on PostgreSQL or SQLite."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None and diag.constraint_name:
        return diag.constraint_name
    message = str(error.orig)
    if match := SQLITE_UNIQUE.search(message):
        return f"uq_{match.group(1)}_{match.group(2)}"
    if match := SQLITE_CHECK.search(message):
        return match.group(1)
    if match := SQLITE_TRIGGER.match(message):
        return match.group(1)
    return None


def validation_error_for(error: IntegrityError) -> ValidationError:
    """Return the validation error a support agent should read for `error`."""
    name = constraint_name(error) or ""
    if name in CONSTRAINT_MESSAGES:
        return ValidationError(*CONSTRAINT_MESSAGES[name])
    if name.startswith("ck_"):
        return ValidationError(name, f"A value breaks the rule {name}; correct it and try again.")
    return ValidationError("record", "The record conflicts with another one; reload and try again.")


def commit_or_raise(session: AnySession) -> None:
    """Commit `session`; on an integrity error roll back and raise the matching ValidationError."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise validation_error_for(error) from error
