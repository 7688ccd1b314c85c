"""Starting the registration or removal of a number's emergency address (web and CLI processes).

At most one is in flight per number (`uq_activities_emergency_in_flight`): asking again returns it. None
starts while a release, move or replacement of the business's number is in flight, and those refuse to
start while one is (`emergency_refusal`, `number_changes.refuse_if_busy`): both change the number's address.
"""

from __future__ import annotations

import enum

from webapp.jobs.enqueue.number_changes import CHANGE_NAMES, change_in_flight
from webapp.jobs.enqueue.starting import start_for_number
from webapp.models import Activity, ActivityKind, PhoneNumber, User, ValidationError


class EmergencyAction(enum.StrEnum):
    """What an emergency-address job does to the number."""

    REGISTER = "register"
    UNREGISTER = "unregister"


def emergency_refusal(number: PhoneNumber, action: EmergencyAction) -> str | None:
    """Why the number's emergency address may not be registered or removed now (a sentence), or None."""
    if action == EmergencyAction.REGISTER and (refusal := number.business.emergency_refusal()):
        return refusal
    running = change_in_flight(number.business_id)
    if running is not None:
        change = CHANGE_NAMES[running.kind].capitalize()
        return f"{change} of {number.formatted} is in flight; wait until it ends."
    return None


def enqueue_emergency(number: PhoneNumber, requested_by: User | None, action: EmergencyAction) -> Activity:
    """Start registering the business's service address as `number`'s emergency address, or removing it;
    returns the job already in flight for the number, if any.

    Raises:
        ValidationError: the business has no service address (to register), or a change of its number is
            in flight.
        QueueUnavailable: Redis did not answer.
    """
    if (refusal := emergency_refusal(number, action)) is not None:
        raise ValidationError("phone_number", refusal)
    result = {"action": action.value, "e164": number.e164}
    return start_for_number(ActivityKind.EMERGENCY_ADDRESS, number, requested_by, result)
