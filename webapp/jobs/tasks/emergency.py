"""The emergency-address job, and the removal that release, move and replace run first (worker process).

Registering: the business's Twilio Address is reused (`Business.twilio_address_sid`) or created (US,
`EmergencyEnabled`, `AutoCorrectAddress`: Twilio's correction goes into the result), then assigned to the
number by an update (Twilio ignores it on a purchase). Twilio registers it in its own time: the job looks
at the number every `EMERGENCY_POLL_SECONDS` on RQ's scheduler (`running/follow_up.py`) until it is
`registered`, or `registration-failure`, whose reason is Twilio's alert about the number.

Removing (`unregister_first`): an empty `EmergencyAddressSid`, then looks until `unregistered`. A release,
move or replacement goes on only then; on `unregistration-failure` it fails saying so, and the business
keeps its number.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from rq import Retry
from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.enqueue import EmergencyAction, QueueUnavailable, enqueue_emergency
from webapp.jobs.enqueue.queue import schedule_follow_up
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.follow_up import StillPending
from webapp.jobs.running.runner import run_activity
from webapp.jobs.running.runtime import job_context
from webapp.jobs.running.saving import save
from webapp.jobs.running.tracking import report_progress
from webapp.models import Activity, ActivityStatus, Business, EmergencyStatus, PhoneNumber, ValidationError
from webapp.models.base import utcnow
from webapp.twilio_client import ApiError, TwilioClient, TwilioNumber, get_client

logger = logging.getLogger(__name__)

REFUSED_ADDRESS = 400
"""The HTTP status of Twilio's refusal of an address (21628 not validated, 21629 a suggestion, 21238 a
malformed part); anything else is Twilio failing, retried or reported as such."""

NO_REASON = "Twilio gave no reason; the number's page in Twilio's Console may say more."


def change_emergency_address(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: register or remove the Activity's number's emergency address (see the module docstring)."""
    return run_activity(activity_id, change)


def change(activity: Activity) -> dict[str, Any]:
    """Register or remove the number's emergency address, as the Activity asks; return its result."""
    number = activity.phone_number
    if number is None:
        raise JobFailed("The number is no longer recorded; its emergency address was not changed.")
    if (activity.result or {}).get("action") == EmergencyAction.UNREGISTER:
        had_one = number.emergency_address_sid is not None
        unregister_first(activity, number, "changed")
        note = "Its emergency address is removed." if had_one else "It had no emergency address."
        return {"step": "Done", "emergency_address_status": EmergencyStatus.UNREGISTERED.value, "note": note}
    return register(activity, number)


def register(activity: Activity, number: PhoneNumber) -> dict[str, Any]:
    """Assign the business's Address to the number (once), then follow Twilio's status to its end."""
    client = get_client()
    asked = activity.result or {}
    if asked.get("assigned_at") is None:
        business = number.business
        if (refusal := business.emergency_refusal()) is not None:
            raise JobFailed(refusal)
        report_progress(activity, 0, 2, step=f"Giving Twilio the service address of {business.name}")
        seen = assign(client, activity, number)
        report_progress(activity, 1, assigned_at=utcnow().isoformat())
    else:
        seen = client.fetch_number(number.twilio_sid)
    record(number, seen)
    status = seen.emergency_address_status
    if status == EmergencyStatus.REGISTERED:
        logger.info("Activity %s: emergency address of %s registered", activity.id, number.twilio_sid)
        return {"step": "Done", "emergency_address_status": status}
    if status == EmergencyStatus.REGISTRATION_FAILURE:
        reason = failure_reason(client, number, (activity.result or {})["assigned_at"])
        number.emergency_address_error = reason
        save()
        raise JobFailed(f"Twilio could not register the emergency address of {number.formatted}: {reason}")
    raise StillPending(
        f"Waiting for Twilio to register the emergency address of {number.e164} ({status})",
        f"Twilio had not registered the emergency address of {number.formatted} when Switchboard stopped "
        "looking; check the number again later.",
        schedule_follow_up,
    )


def assign(client: TwilioClient, activity: Activity, number: PhoneNumber) -> TwilioNumber:
    """Assign the business's emergency Address to the number; return the number as Twilio answered.

    An Address made earlier that Twilio refuses (deleted in its Console, say) is forgotten and made again.
    """
    business = number.business
    reused = business.twilio_address_sid is not None
    address_sid = business_address(client, activity, business)
    report_progress(activity, 1, step=f"Assigning the address to {number.e164}", address_sid=address_sid)
    try:
        return client.assign_emergency_address(number.twilio_sid, address_sid)
    except ApiError as error:
        if not reused or error.status not in (REFUSED_ADDRESS, 404):
            raise
        logger.warning(
            "Address %s of business %s was refused (%s); making it again", address_sid, business.id, error
        )
    business.twilio_address_sid = None
    address_sid = business_address(client, activity, business)
    report_progress(activity, 1, address_sid=address_sid)
    return client.assign_emergency_address(number.twilio_sid, address_sid)


def business_address(client: TwilioClient, activity: Activity, business: Business) -> str:
    """Return the SID of the business's emergency Address at Twilio, creating it when it has none; a
    correction Twilio made goes into the Activity's result.

    Raises:
        JobFailed: Twilio refused the address (it names why); the business's page is where to correct it.
    """
    if business.twilio_address_sid is not None:
        return business.twilio_address_sid
    address = business.service_address
    assert address is not None  # emergency_refusal said it has one
    try:
        made = client.create_emergency_address(
            f"switchboard:{business.id.hex[:20]}",
            business.name,
            address.street,
            address.city,
            address.region,
            address.postal_code,
        )
    except ApiError as error:
        if error.status != REFUSED_ADDRESS:
            raise
        raise JobFailed(
            f"Twilio did not accept the service address of {business.name} ({address.one_line()}): "
            f"{error.message} (Twilio error {error.code}). "
            "Correct it on the business's page and register again."
        ) from error
    business.twilio_address_sid = made.sid
    if made.one_line() != address.one_line():
        report_progress(
            activity,
            activity.progress_done or 0,
            correction=f"Twilio corrected the address to {made.one_line()} (it was {address.one_line()}).",
        )
    return made.sid


def unregister_first(activity: Activity, number: PhoneNumber, outcome: str) -> None:
    """Remove the number's emergency address and return once Twilio has unregistered it; return at once when
    it has none. `outcome` says what the job does to the number (`released`, `moved`).

    Raises:
        StillPending: Twilio is unregistering it; the job looks again later.
        JobFailed: Twilio could not unregister it; the number stays with its business.
    """
    if number.emergency_address_sid is None:
        return
    client = get_client()
    since = (activity.result or {}).get("unregistering_since")
    if since is None:
        report_progress(
            activity, activity.progress_done or 0, step=f"Removing the emergency address of {number.e164}"
        )
        seen = client.remove_emergency_address(number.twilio_sid)
        since = utcnow().isoformat()
        report_progress(activity, activity.progress_done or 0, unregistering_since=since)
    else:
        seen = client.fetch_number(number.twilio_sid)
    record(number, seen)
    status = seen.emergency_address_status
    if status in (None, EmergencyStatus.UNREGISTERED):
        number.emergency_address_sid = None
        return
    if status == EmergencyStatus.UNREGISTRATION_FAILURE:
        reason = failure_reason(client, number, since)
        number.emergency_address_error = reason
        save()
        raise JobFailed(
            f"Twilio could not remove the emergency address of {number.formatted} ({reason}), so the number "
            f"was not {outcome}: {number.business.name} keeps it."
        )
    raise StillPending(
        f"Waiting for Twilio to unregister the emergency address of {number.e164} ({status})",
        f"Twilio had not unregistered the emergency address of {number.formatted} when Switchboard stopped "
        f"looking, so the number was not {outcome}: {number.business.name} keeps it.",
        schedule_follow_up,
    )


def record(number: PhoneNumber, seen: TwilioNumber) -> None:
    """Record what Twilio said of the number's emergency address."""
    number.emergency_address_sid = seen.emergency_address_sid
    number.emergency_address_status = seen.emergency_address_status
    if seen.emergency_address_status in (EmergencyStatus.REGISTERED, EmergencyStatus.UNREGISTERED):
        number.emergency_address_error = None


def failure_reason(client: TwilioClient, number: PhoneNumber, since: str) -> str:
    """Return why Twilio failed to change the number's emergency address: its newest alert about the number
    since `since` (ISO 8601), as `reason (Twilio error code)`."""
    alerts = client.list_alerts(since=datetime.fromisoformat(since))
    about = [alert for alert in alerts if alert.resource_sid == number.twilio_sid]
    if not about:
        return NO_REASON
    newest = about[0]
    return f"{newest.reason or newest.alert_text or NO_REASON} (Twilio error {newest.error_code})"


def register_after_provision(activity_ids: list[str]) -> None:
    """With `EMERGENCY_ADDRESS_ON_PROVISION`, start registering the service address of each business whose
    provision (of `activity_ids`) succeeded, when it has one. A refusal is logged: the number is bought."""
    with job_context() as app:
        if not app.config["EMERGENCY_ADDRESS_ON_PROVISION"]:
            return
        provisioned = db.session.scalars(
            select(Activity).where(
                Activity.id.in_([uuid.UUID(text) for text in activity_ids]),
                Activity.status == ActivityStatus.SUCCEEDED,
                Activity.phone_number_id.is_not(None),
            )
        )
        for activity in provisioned:
            number = activity.phone_number
            if number is None or number.business.emergency_refusal() or number.emergency_address_sid:
                continue
            try:
                enqueue_emergency(number, activity.requested_by, EmergencyAction.REGISTER)
            except (ValidationError, QueueUnavailable) as error:
                logger.warning(
                    "Emergency address of %s not registered after provision: %s", number.e164, error
                )
