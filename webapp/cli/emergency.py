"""`flask --app wsgi businesses set-address ...` and `numbers emergency ...`: service addresses and the
emergency addresses Twilio registers from them."""

from __future__ import annotations

import click

from webapp.cli.numbers import find_number, report_or_wait, run_enqueue, waiting_options
from webapp.extensions import db
from webapp.jobs.enqueue import EmergencyAction, enqueue_emergency
from webapp.models import ServiceAddress, ValidationError
from webapp.models.lookup import find_business


@click.group("businesses")
def businesses_group() -> None:
    """Change businesses from the shell."""


@businesses_group.command("set-address")
@click.argument("business")
@click.option("--street", required=True, help="Number and street, e.g. '1 Main St'.")
@click.option("--city", required=True)
@click.option("--region", required=True, metavar="STATE", help="The state's two-letter code, e.g. CA.")
@click.option("--postal-code", required=True, metavar="ZIP", help="5 digits, or ZIP+4.")
def set_address_command(business: str, street: str, city: str, region: str, postal_code: str) -> None:
    """Set the US service address of BUSINESS (its UUID or exact name).

    It is what 'numbers emergency NUMBER --register' registers at Twilio as the number's emergency address
    (911 calls then reach a local dispatcher). A malformed address changes nothing.
    """
    try:
        found = find_business(business)
        address = ServiceAddress.checked(street, city, region, postal_code)
    except ValidationError as error:
        raise click.ClickException(error.message) from None
    found.set_service_address(address)
    db.session.commit()
    click.echo(f"{found.name}: {address.one_line()}")


@click.command("emergency")
@click.argument("number")
@click.option("--register", "action", flag_value=EmergencyAction.REGISTER.value, help="Register it.")
@click.option("--unregister", "action", flag_value=EmergencyAction.UNREGISTER.value, help="Remove it.")
@waiting_options
def emergency_command(number: str, action: str | None, wait: bool, timeout: int) -> None:
    """Register the business's service address as NUMBER's emergency address, or remove it.

    Twilio takes a while to register (or unregister) it: the job looks again until it is done, and fails
    with Twilio's reason when Twilio could not. NUMBER is a US number in any common format or a Twilio SID.
    """
    if action is None:
        raise click.UsageError("Say --register or --unregister.")
    report_or_wait(
        run_enqueue(lambda: [enqueue_emergency(find_number(number), None, EmergencyAction(action))]),
        wait,
        timeout,
    )
