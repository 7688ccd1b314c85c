"""Orphans: numbers on the Twilio account named `switchboard:<business uuid>` that no row records.

They come from a purchase whose job died, or could not record it, before the number reached the database
(a retried provision adopts them itself). Adopting one attaches it to its business, if that has no number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from webapp.extensions import db
from webapp.jobs.running.twilio_state import (
    FRIENDLY_NAME_PREFIX,
    ExpectedWebhook,
    business_id_named,
    new_number_row,
)
from webapp.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Business,
    NumberEvent,
    NumberHistory,
    PhoneNumber,
    commit_or_raise,
)
from webapp.models.base import utcnow
from webapp.twilio_client import ApiError, TwilioNumber, get_client

logger = logging.getLogger(__name__)


class OrphanSearchFailed(Exception):
    """Twilio could not list the account's numbers, so no orphans could be looked for."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Twilio could not list the account's numbers: {reason}")


@dataclass(frozen=True)
class Orphan:
    """A number at Twilio carrying our FriendlyName prefix with no row, and the business it names (if any)."""

    number: TwilioNumber
    business: Business | None

    @property
    def adoptable(self) -> bool:
        """Whether it can be attached: its business exists and has no number."""
        return self.business is not None and self.business.phone_number is None

    def describe(self) -> str:
        """Return one line for the support agent: the number, its SID and what can be done."""
        head = f"{self.number.phone_number} {self.number.sid} {self.number.friendly_name}"
        if self.business is None:
            return f"{head}: no business has this id; release it at Twilio if nobody needs it."
        if self.business.phone_number is not None:
            return (
                f"{head}: {self.business.name} already has {self.business.phone_number.formatted}; "
                "release one of the two at Twilio."
            )
        return f"{head}: belongs to {self.business.name}, which has no number; --adopt attaches it."


def business_named_by(number: TwilioNumber) -> Business | None:
    """Return the business whose id the number's FriendlyName carries, or None."""
    return business_named(number.friendly_name)


def business_named(friendly_name: str) -> Business | None:
    """Return the business whose id a `switchboard:<id>` FriendlyName carries, or None."""
    business_id = business_id_named(friendly_name)
    return db.session.get(Business, business_id) if business_id is not None else None


def find_orphans() -> list[Orphan]:
    """Return the account's `switchboard:` numbers that no row records, in phone-number order.

    Raises:
        OrphanSearchFailed: Twilio did not list the numbers.
    """
    try:
        numbers = get_client().list_numbers()
    except ApiError as error:
        raise OrphanSearchFailed(error.message) from None
    ours = {number.sid: number for number in numbers if number.friendly_name.startswith(FRIENDLY_NAME_PREFIX)}
    recorded = set(
        db.session.scalars(db.select(PhoneNumber.twilio_sid).where(PhoneNumber.twilio_sid.in_(ours)))
    )
    orphans = [ours[sid] for sid in ours if sid not in recorded]
    return [
        Orphan(number, business_named_by(number)) for number in sorted(orphans, key=lambda n: n.phone_number)
    ]


def adopt(orphan: Orphan) -> PhoneNumber:
    """Record the orphan as its business's number (its webhook judged against today's settings), with an
    `adopt` Activity for the audit trail.

    Raises:
        ValueError: it is not adoptable.
        ValidationError: the database refused the row (e.g. the business got a number meanwhile).
    """
    if orphan.business is None or not orphan.adoptable:
        raise ValueError(f"{orphan.number.sid} cannot be adopted: {orphan.describe()}")
    row = new_number_row(orphan.business.id, orphan.number, ExpectedWebhook.from_config(current_app.config))
    now = utcnow()
    db.session.add(row)
    db.session.add(
        Activity(
            kind=ActivityKind.ADOPT,
            status=ActivityStatus.SUCCEEDED,
            business_id=orphan.business.id,
            phone_number=row,
            attempts=1,
            started_at=now,
            finished_at=now,
            result={
                "e164": row.e164,
                "twilio_sid": row.twilio_sid,
                "webhook_status": row.webhook_status.value,
            },
        )
    )
    commit_or_raise(db.session)
    logger.info("Adopted %s (%s) for business %s", row.e164, row.twilio_sid, orphan.business.id)
    return row


def latest_check() -> Activity | None:
    """The latest webhook check of more than one number that ended well: the orphans it found (a check
    that walks Twilio's list finds them all) are the ones the console shows."""
    query = (
        db.select(Activity)
        .where(
            Activity.kind == ActivityKind.WEBHOOK_CHECK,
            Activity.status == ActivityStatus.SUCCEEDED,
            Activity.phone_number_id.is_(None),
        )
        .order_by(Activity.created_at.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def listed_orphans(check: Activity | None) -> list[dict[str, str]]:
    """The orphans `check` named (`e164`, `sid`, `friendly_name`) that are neither recorded nor released
    since."""
    named = (check.result or {}).get("orphan_numbers", []) if check is not None else []
    if not named:
        return []
    sids = [orphan["sid"] for orphan in named]
    settled = set(
        db.session.scalars(db.select(PhoneNumber.twilio_sid).where(PhoneNumber.twilio_sid.in_(sids)))
    )
    released = db.select(NumberHistory.twilio_sid).where(
        NumberHistory.twilio_sid.in_(sids), NumberHistory.event == NumberEvent.RELEASED
    )
    settled.update(db.session.scalars(released))
    return [orphan for orphan in named if orphan["sid"] not in settled]
