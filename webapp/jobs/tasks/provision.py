"""The provision job: buy a number for a business, point its webhook at us and record it.

Never buys twice: every number is bought with the FriendlyName `switchboard:<business uuid>`, and each
attempt first looks for a number with that name at Twilio and adopts it (an earlier attempt that died after
buying, or whose answer was lost). The unique `phone_numbers.business_id` guards the database side.

Never leaves a bought number unrecorded because Twilio stayed unreachable: a provision that gives up
schedules a look for a number its lost answers may have bought, and adopts it (`lost_purchases.py`).

Never leaves a bought number unrecorded because of its webhook: the purchase itself sets the voice webhook,
so a new number is recorded as Twilio answered. Only an adopted number whose webhook differs from ours gets
an update, and when that fails the number is still recorded (marked drifted, with the reason) and the
Activity succeeds with a note saying to re-sync it. Failing the job instead would leave a number Twilio
bills for and the database does not know once the retries are used up.

With `EMERGENCY_ADDRESS_ON_PROVISION`, each number bought for a business with a service address gets an
emergency-address job of its own once recorded (`emergency.register_after_provision`).

"Provision selected" starts provisions in batches (`bulk_provision.py`): a batch job sends every purchase
of its batch side by side (`side_by_side.py`), then records each number in turn under its own Activity.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from rq import Retry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.jobs.reads.nearby_numbers import nearby_areas, rules_allowed
from webapp.jobs.reads.progress import STEP_NAMES
from webapp.jobs.running.errors import JobFailed
from webapp.jobs.running.runner import run_activities, run_activity
from webapp.jobs.running.saving import undo
from webapp.jobs.running.side_by_side import SideBySide, TwilioCall, in_flight
from webapp.jobs.running.tracking import error_sentence, report_progress
from webapp.jobs.running.twilio_state import expected_for, friendly_name_for, new_number_row
from webapp.jobs.tasks.emergency import register_after_provision
from webapp.jobs.tasks.lost_purchases import schedule_lost_purchase_look
from webapp.models import Activity, Business
from webapp.models.persistence import validation_error_for
from webapp.twilio_client import (
    ApiError,
    NumberConfiguration,
    NumberUnavailable,
    TwilioClient,
    TwilioNumber,
    get_client,
    routes_elsewhere,
)

logger = logging.getLogger(__name__)


STEPS = len(STEP_NAMES)

CHOSEN_NUMBER_GONE = "That number is no longer available — search again."
"""Why a provision of a number chosen from a search failed when Twilio would not sell it."""

INVALID_PHONE_NUMBER = 21421
"""Twilio's error for a number it does not recognise (its magic test number +15005550001 answers it)."""


def provision_business_number(activity_id: str) -> dict[str, Any] | Retry | None:
    """RQ job: provision a number for the Activity's business (see the module docstring), then register its
    emergency address when `EMERGENCY_ADDRESS_ON_PROVISION` says so."""
    outcome = run_activity(activity_id, provision, schedule_lost_purchase_look)
    if isinstance(outcome, dict):
        register_after_provision([activity_id])
    return outcome


def provision_batch(activity_ids: list[str]) -> dict[str, int] | Retry:
    """RQ job: provision numbers for the businesses of several Activities (a batch from
    `enqueue_bulk_provision`), their purchases sent side by side (`side_by_side.py`)."""
    with SideBySide(lambda: planned_purchases(activity_ids)) as purchases:
        outcome = run_activities(
            activity_ids, lambda activity: provision(activity, purchases), schedule_lost_purchase_look
        )
    if isinstance(outcome, dict) and outcome["succeeded"]:
        register_after_provision(activity_ids)
    return outcome


@dataclass(frozen=True)
class PurchaseOrder:
    """What a provision buys, read from its Activity and business before any Twilio call."""

    business_id: uuid.UUID
    friendly_name: str
    chosen: str | None
    """The number chosen from a search, bought exactly."""
    wanted_area_code: str | None
    """Else the area code asked for (or the business's preferred one); else any US local number."""
    fallbacks: tuple[str, ...]
    """Where to look when that area code has none (`nearby_numbers.RULES`, as `PROVISION_FALLBACK` allows)."""

    @classmethod
    def of(cls, activity: Activity, business: Business) -> PurchaseOrder:
        asked = activity.result or {}
        return cls(
            business_id=business.id,
            friendly_name=friendly_name_for(business),
            chosen=asked.get("requested_number"),
            wanted_area_code=asked.get("requested_area_code") or business.preferred_area_code,
            fallbacks=rules_allowed(current_app.config["PROVISION_FALLBACK"]),
        )


@dataclass(frozen=True)
class Purchase:
    """The number a provision bought (or adopted), its webhook set, and a note for the result."""

    number: TwilioNumber
    note: str | None
    found_by: str | None = None
    """The rule (`nearby_numbers.RULES`) that found the number when the area code wanted had none."""


Step = Callable[[int, str], None]
"""Reports a provision's step (index into `STEP_NAMES`, and what it is doing)."""


def silent_step(index: int, text: str) -> None:
    """The `Step` of a purchase sent from a batch's pool thread, which must not write the database."""


def progress_step(activity: Activity) -> Step:
    """Return the `Step` that records each step as the Activity's progress."""
    return lambda index, text: report_progress(activity, index, step=text)


def planned_purchases(activity_ids: list[str]) -> dict[str, TwilioCall[Purchase]]:
    """Return the purchase of each in-flight Activity whose business may get a number, by business id."""
    return {
        str(activity.business_id): purchase_call(
            PurchaseOrder.of(activity, activity.business), expected_for(activity.business)
        )
        for activity in in_flight(activity_ids, selectinload(Activity.business))
        if activity.business is not None and activity.business.why_no_number() is None
    }


def purchase_call(
    order: PurchaseOrder, expected: NumberConfiguration, step: Step = silent_step
) -> TwilioCall[Purchase]:
    """Return the Twilio call that finds or buys the order's number and sets its configuration."""

    def buy(client: TwilioClient) -> Purchase:
        found = find_or_buy(client, order, expected, step)
        step(2, f"Checking the configuration of {found.number.phone_number}")
        number, webhook_note = webhook_set(client, found.number, expected)
        return Purchase(number, " ".join(filter(None, (found.note, webhook_note))) or None, found.found_by)

    return buy


def eligible_business(activity: Activity) -> Business:
    """Return the Activity's business if a number may be bought for it.

    Raises:
        JobFailed: the business is gone, or may not get a number (`Business.why_no_number`).
    """
    business = activity.business
    if business is None:
        raise JobFailed("The business was deleted; there is nothing to provision.")
    if (refusal := business.why_no_number()) is not None:
        raise JobFailed(refusal)
    return business


def provision(activity: Activity, purchases: SideBySide[Purchase] | None = None) -> dict[str, Any]:
    """Buy (or adopt), configure and record the business's number; return the Activity's result.

    In a batch, the purchase is taken from `purchases`. A business the batch bought for is not asked
    again whether it may get a number: its number is bought, and recording it is the truth.
    """
    key = str(activity.business_id)
    if purchases is not None and activity.business is not None and purchases.planned(key):
        business = activity.business
        report_progress(activity, 1, STEPS, step="Buying a number alongside the rest of the batch")
        purchase = purchases.take(key)
    else:
        business = eligible_business(activity)
        report_progress(activity, 0, STEPS, step="Looking for a number bought for this business earlier")
        order = PurchaseOrder.of(activity, business)
        expected = expected_for(business)
        step = progress_step(activity)
        purchase = purchase_call(order, expected, step)(get_client())
    return record_purchase(activity, business, purchase)


def record_purchase(activity: Activity, business: Business, purchase: Purchase) -> dict[str, Any]:
    """Record the bought number for the business (the Activity's success commits it); return the result.

    Raises:
        JobFailed: the row was refused (say, the business got a number meanwhile); Twilio has the number.
    """
    number = purchase.number
    report_progress(activity, 3, STEPS, step=f"Recording {number.phone_number}")
    row = new_number_row(business, number)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as error:
        undo()
        raise JobFailed(
            f"Bought {number.phone_number} ({number.sid}) at Twilio but could not record it: "
            f"{validation_error_for(error).message} Once that is fixed, run "
            "'flask --app wsgi numbers orphans --adopt' to attach it."
        ) from error
    activity.phone_number = row  # the Activity names the number it bought: its pages link to it
    logger.info(
        "Activity %s: business %s got %s (%s)", activity.id, business.id, number.phone_number, number.sid
    )
    return {
        "step": "Done",
        "e164": row.e164,
        "twilio_sid": row.twilio_sid,
        "area_code": row.area_code,
        **({"note": purchase.note} if purchase.note else {}),
        **({"found_by": purchase.found_by} if purchase.found_by else {}),
    }


def webhook_set(
    client: TwilioClient, number: TwilioNumber, expected: NumberConfiguration
) -> tuple[TwilioNumber, str | None]:
    """Return the number with our configuration, updating it at Twilio (every managed field in one
    request) only if it differs, and a note (or None) saying why it could not be set. Never raises for
    Twilio: see the module docstring."""
    if not expected.differences(number):
        return number, None
    try:
        return client.update_number_webhook(
            number.sid, expected, clear_routing=routes_elsewhere(number)
        ), None
    except ApiError as error:
        logger.warning("Could not set the voice webhook of %s: %s", number.sid, error_sentence(error))
        return number, (
            f"Its voice webhook could not be set ({error_sentence(error)}): use Re-sync webhook to set it."
        )


def buy_chosen(
    client: TwilioClient, phone_number: str, friendly_name: str, configuration: NumberConfiguration
) -> TwilioNumber:
    """Buy exactly the number chosen from a search.

    Raises:
        JobFailed: Twilio no longer sells it (21422) or calls it invalid (21421); nothing was bought.
    """
    try:
        return client.purchase_number(phone_number, friendly_name, configuration)
    except ApiError as error:
        if isinstance(error, NumberUnavailable) or error.code == INVALID_PHONE_NUMBER:
            raise JobFailed(CHOSEN_NUMBER_GONE) from error
        raise


def find_or_buy(
    client: TwilioClient, order: PurchaseOrder, configuration: NumberConfiguration, step: Step
) -> Purchase:
    """Return the business's number at Twilio, adopted or newly bought, with a note for the result.

    Buys the chosen number, else one in the wanted area code (any US local voice number when none is
    wanted); when that area code has none, one from the places `order.fallbacks` allows, nearest first.

    Raises:
        JobFailed: no number could be bought.
    """
    earlier = client.find_numbers(friendly_name=order.friendly_name)
    if earlier:
        if len(earlier) > 1:
            logger.warning(
                "Business %s has %d numbers named %s at Twilio; adopting %s, see 'numbers orphans'",
                order.business_id,
                len(earlier),
                order.friendly_name,
                earlier[0].sid,
            )
        note = f"Adopted {earlier[0].phone_number}, bought for this business by an earlier attempt."
        return Purchase(earlier[0], note)
    if order.chosen:
        step(1, f"Buying {order.chosen}")
        return Purchase(buy_chosen(client, order.chosen, order.friendly_name, configuration), None)
    wanted = order.wanted_area_code
    step(1, f"Buying a number in area code {wanted}" if wanted else "Buying a number")
    try:
        return Purchase(
            client.provision_number(wanted, friendly_name=order.friendly_name, configuration=configuration),
            None,
        )
    except NumberUnavailable as error:
        if wanted is None:
            raise JobFailed(f"No number could be bought: {error.message}") from error
    return buy_nearby(client, order, wanted, configuration, step)


def buy_nearby(
    client: TwilioClient,
    order: PurchaseOrder,
    area_code: str,
    configuration: NumberConfiguration,
    step: Step,
) -> Purchase:
    """Buy a number from the first place `order.fallbacks` allows that has one; return it with a note
    saying where it is and the rule that found it.

    Raises:
        JobFailed: none of those places had a number (or none is allowed); the message says where to look.
    """
    for nearby in nearby_areas(area_code, order.fallbacks):
        step(1, f"No numbers in area code {area_code}; buying one {nearby.label}")
        try:
            number = client.provision_number(
                friendly_name=order.friendly_name, configuration=configuration, area=nearby.area
            )
        except NumberUnavailable:
            logger.info("Business %s: no number %s either", order.business_id, nearby.label)
            continue
        note = (
            f"Area code {area_code} had no numbers available, so {number.phone_number} "
            f"(area code {number.phone_number[2:5]}), {nearby.label}, was bought instead."
        )
        return Purchase(number, note, nearby.rule)
    tried = "".join(f", nor {nearby.label}" for nearby in nearby_areas(area_code, order.fallbacks))
    raise JobFailed(
        f"No number could be bought: none in area code {area_code}{tried}. "
        "Choose one near it or in its state with Choose a number…, or ask for another area code."
    )
