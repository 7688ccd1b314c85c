"""`businesses set-address` and `numbers emergency`: the service address from the shell, and registering
and removing a number's emergency address with --wait."""

from __future__ import annotations

import pytest

from tests.factories import make_business
from tests.jobs.helpers import owned_numbers
from webapp.extensions import db
from webapp.models import EmergencyStatus, ServiceAddress

# the emergency job again, through the CLI; the same on either database
pytestmark = pytest.mark.once_in_ci

SET_ADDRESS = ["--street", "1 Main St", "--city", "Springfield", "--region", "il", "--postal-code", "62701"]


def test_set_address_saves_a_good_address_and_refuses_a_bad_one_changing_nothing(app, runner):
    business = make_business("Acme Plumbing")

    saved = runner.invoke(args=["businesses", "set-address", "Acme Plumbing", *SET_ADDRESS])
    refused = runner.invoke(args=["businesses", "set-address", str(business.id), *SET_ADDRESS[:-1], "6270"])

    assert saved.exit_code == 0, saved.output
    assert saved.output == "Acme Plumbing: 1 Main St, Springfield, IL 62701\n"
    assert refused.exit_code == 1
    assert "ZIP code must be 5 digits (or ZIP+4, 94103-1234); got '6270'." in refused.output
    db.session.rollback()
    assert business.service_address == ServiceAddress("1 Main St", "Springfield", "IL", "62701")


def test_numbers_emergency_registers_and_removes_with_wait(app, runner, sandbox, start_worker):
    sandbox.set_emergency(delay_seconds=0)
    [number] = owned_numbers(1)
    number.business.set_service_address(ServiceAddress.checked("1 Main Street", "Springfield", "IL", "62701"))
    db.session.commit()
    start_worker()

    registered = runner.invoke(args=["numbers", "emergency", number.e164, "--register", "--wait"])
    removed = runner.invoke(args=["numbers", "emergency", number.twilio_sid, "--unregister", "--wait"])
    neither = runner.invoke(args=["numbers", "emergency", number.e164])

    assert registered.exit_code == 0, registered.output
    assert "emergency_address succeeded: e164=" in registered.output
    assert "emergency_address_status=registered" in registered.output
    assert removed.exit_code == 0, removed.output
    assert "Its emergency address is removed." in removed.output
    assert neither.exit_code == 2 and "Say --register or --unregister." in neither.output
    db.session.refresh(number)
    assert (number.emergency_address_status, number.emergency_address_sid) == (
        EmergencyStatus.UNREGISTERED,
        None,
    )
