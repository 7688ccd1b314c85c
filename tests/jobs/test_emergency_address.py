"""Emergency addresses, end to end: a real worker on RQ's scheduler, Redis, and the sandbox over HTTP."""

from __future__ import annotations

import pytest

from harness.waits import in_new_transaction, wait_for_activity, wait_until
from tests.factories import make_business
from tests.jobs.helpers import numbers_of, owned_numbers
from webapp.extensions import db
from webapp.jobs.enqueue import EmergencyAction, enqueue_emergency, enqueue_provision, enqueue_release
from webapp.models import Activity, ActivityKind, ActivityStatus, EmergencyStatus, PhoneNumber, ServiceAddress

# a minute of 1 s status polls; two new columns, the same on either database
pytestmark = pytest.mark.once_in_ci

REGISTRATION_TIMEOUT = 60.0
"""Seconds for a registration: the sandbox's delay, then the next look a second later on the scheduler."""


def number_with_address(street: str) -> PhoneNumber:
    """A number recorded for a new business whose service address has `street`."""
    [number] = owned_numbers(1)
    number.business.set_service_address(ServiceAddress.checked(street, "Springfield", "il", "62701"))
    db.session.commit()
    return number


def registered(number: PhoneNumber) -> PhoneNumber:
    """Register the number's emergency address through the job and return the number as it ends."""
    activity = enqueue_emergency(number, None, EmergencyAction.REGISTER)
    done = wait_for_activity(activity.id, REGISTRATION_TIMEOUT)
    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert done.result["emergency_address_status"] == EmergencyStatus.REGISTERED
    return done.phone_number


def test_an_emergency_address_registers_and_the_number_then_releases_unregistering_first(
    app, sandbox, start_worker
):
    sandbox.set_emergency(delay_seconds=1)
    number = number_with_address("1 Main St")
    start_worker()

    number = registered(number)

    assert number.emergency_address_status == EmergencyStatus.REGISTERED
    assert number.emergency_address_sid == number.business.twilio_address_sid
    assert number.emergency_address_sid.startswith("AD")
    business_id = number.business_id
    release = wait_for_activity(enqueue_release(number, None).id, REGISTRATION_TIMEOUT)
    assert release.status == ActivityStatus.SUCCEEDED, release.error
    assert sandbox.owned_count() == 0
    assert numbers_of(business_id) == []
    # The address was removed first: the one DELETE was never refused.
    assert sandbox.request_count("DELETE /IncomingPhoneNumbers/{Sid}.json") == 1


def test_twilio_s_correction_of_the_address_is_shown(app, sandbox, start_worker):
    sandbox.set_emergency(delay_seconds=0)
    number = number_with_address("1 Main St")
    activity = enqueue_emergency(number, None, EmergencyAction.REGISTER)
    start_worker()

    done = wait_for_activity(activity.id, REGISTRATION_TIMEOUT)

    assert done.status == ActivityStatus.SUCCEEDED, done.error
    assert done.result["correction"] == (
        "Twilio corrected the address to 1 Main Street, Springfield, IL 62701 "
        "(it was 1 Main St, Springfield, IL 62701)."
    )


def test_an_invalid_address_ends_in_registration_failure_with_the_reason_shown(app, sandbox, start_worker):
    sandbox.set_emergency(delay_seconds=1, reason="The address is not in the 911 database.")
    number = number_with_address("9 Invalid Way")
    activity = enqueue_emergency(number, None, EmergencyAction.REGISTER)
    start_worker()

    done = wait_for_activity(activity.id, REGISTRATION_TIMEOUT)

    assert done.status == ActivityStatus.FAILED
    assert done.error == (
        f"Twilio could not register the emergency address of {number.formatted}: "
        "The address is not in the 911 database. (Twilio error 21628)"
    )
    db.session.refresh(number)
    assert number.emergency_address_status == EmergencyStatus.REGISTRATION_FAILURE
    assert number.emergency_address_error == "The address is not in the 911 database. (Twilio error 21628)"


def test_a_release_whose_unregistering_fails_keeps_the_number(app, sandbox, start_worker):
    sandbox.set_emergency(delay_seconds=1)
    number = number_with_address("1 Main Street")
    start_worker()
    number = registered(number)
    sandbox.set_emergency(fail_unregistration=True, reason="Twilio's 911 provider did not answer.")

    release = wait_for_activity(enqueue_release(number, None).id, REGISTRATION_TIMEOUT)

    assert release.status == ActivityStatus.FAILED
    assert release.error == (
        f"Twilio could not remove the emergency address of {number.formatted} (Twilio's 911 provider did "
        f"not answer. (Twilio error 21628)), so the number was not released: {number.business.name} keeps it."
    )
    [kept] = numbers_of(number.business_id)
    assert kept.emergency_address_status == EmergencyStatus.UNREGISTRATION_FAILURE
    assert sandbox.owned_count() == 1
    assert sandbox.request_count("DELETE /IncomingPhoneNumbers/{Sid}.json") == 0


def test_with_emergency_address_on_provision_a_new_number_gets_the_business_s_address(
    make_app, sandbox, start_worker
):
    make_app(EMERGENCY_ADDRESS_ON_PROVISION="true")
    sandbox.set_emergency(delay_seconds=0)
    business = make_business(preferred_area_code="212")
    business.set_service_address(ServiceAddress.checked("1 Main Street", "Springfield", "IL", "62701"))
    without = make_business(preferred_area_code="212")
    db.session.commit()
    provisions = [enqueue_provision(business, None), enqueue_provision(without, None)]
    start_worker()

    for provision in provisions:
        assert wait_for_activity(provision.id).status == ActivityStatus.SUCCEEDED
    wait_until(
        in_new_transaction(
            lambda: (
                [a.status for a in activities_of_kind(ActivityKind.EMERGENCY_ADDRESS)]
                == [ActivityStatus.SUCCEEDED]
            )
        ),
        REGISTRATION_TIMEOUT,
        "the emergency address job started by the provision",
    )
    [with_address] = numbers_of(business.id)
    [without_address] = numbers_of(without.id)
    assert with_address.emergency_address_status == EmergencyStatus.REGISTERED
    assert without_address.emergency_address_status is None


def activities_of_kind(kind: ActivityKind) -> list[Activity]:
    return list(db.session.scalars(db.select(Activity).where(Activity.kind == kind)))


def test_an_address_twilio_no_longer_has_is_made_again(app, sandbox, start_worker):
    sandbox.set_emergency(delay_seconds=0)
    number = number_with_address("1 Main Street")
    number.business.twilio_address_sid = gone = "AD" + "0" * 32
    db.session.commit()
    start_worker()

    number = registered(number)

    assert number.business.twilio_address_sid not in (None, gone)
    assert number.emergency_address_sid == number.business.twilio_address_sid
