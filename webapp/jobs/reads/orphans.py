"""Orphans: numbers on the Twilio account named `switchboard:<business uuid>` that no row records.

They come from a purchase whose job died, or could not record it, before the number reached the database
(a retried provision adopts them itself). Adopting one attaches it to its business, if that has no number.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.extensions import db
from webapp.jobs.running.adoption import ForeignConfiguration as ForeignConfiguration  # for the CLI
from webapp.jobs.running.adoption import configure_adopted
from webapp.jobs.running.twilio_state import (
    FRIENDLY_NAME_PREFIX,
    business_id_named,
    expected_for,
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
from webapp.twilio_client import ApiError, TwilioNumber, foreign_differences, get_client

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
    def foreign(self) -> list[str]:
        """What adopting would change on it when its calls go to someone else (empty: ours to set)."""
        return foreign_changes(self.business, self.number)

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
        if foreign := self.foreign:
            return (
                f"{head}: belongs to {self.business.name}, which has no number, but is set up for someone "
                f"else; --adopt --force takes it, changing: {'; '.join(foreign)}."
            )
        return f"{head}: belongs to {self.business.name}, which has no number; --adopt attaches it."


def foreign_changes(business: Business | None, number: TwilioNumber | Mapping[str, str | None]) -> list[str]:
    """What adopting a number (or its managed fields as a check listed them) for `business` would change
    when its calls go to someone else, a phrase each; empty when it is ours to set."""
    if business is None:
        return []
    return [difference.phrase() for difference in foreign_differences(expected_for(business), number)]


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


def adopt(orphan: Orphan, *, force: bool = False) -> PhoneNumber:
    """Set the business's configuration on the orphan at Twilio and record it as the business's number,
    with an `adopt` Activity for the audit trail. One set up for someone else is taken only with `force`.

    Raises:
        ValueError: it is not adoptable.
        ForeignConfiguration: it is set up for someone else and `force` is not given; nothing changed.
        ApiError: Twilio refused the update.
        ValidationError: the database refused the row (e.g. the business got a number meanwhile).
    """
    if orphan.business is None or not orphan.adoptable:
        raise ValueError(f"{orphan.number.sid} cannot be adopted: {orphan.describe()}")
    number = configure_adopted(get_client(), orphan.number, orphan.business, force=force)
    row = new_number_row(orphan.business, number)
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


def listed_orphans(check: Activity | None) -> list[dict[str, Any]]:
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
