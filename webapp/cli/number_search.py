"""`flask --app wsgi numbers search ...`: the numbers Twilio offers to buy, one a line."""

from __future__ import annotations

from dataclasses import replace

import click

from webapp.jobs.reads.number_search import (
    NUMBER_TYPE_LABELS,
    TWILIO_RESULTS_MAX,
    NumberSearch,
    search_numbers,
)
from webapp.models import ValidationError
from webapp.models.phone_format import format_national
from webapp.twilio_client import AvailableNumber


def describe(number: AvailableNumber) -> str:
    """Return one line: E.164 first, then the formatted number, where it is, capabilities, address need."""
    where = ", ".join(filter(None, (number.locality, number.region))) or "—"
    capable = "/".join(name.upper() for name, able in number.capabilities.items() if able) or "none"
    address = "  address required" if number.needs_address else ""
    return f"{number.phone_number}  {format_national(number.phone_number)}  {where}  {capable}{address}"


@click.command("search")
@click.option("--area-code", metavar="NNN", help="Only numbers in this area code.")
@click.option("--contains", metavar="PATTERN", help="Digits or letters the number contains; * is any digit.")
@click.option(
    "--type", "number_type", type=click.Choice(list(NUMBER_TYPE_LABELS)), default="local", show_default=True
)
@click.option("--region", metavar="XX", help="Only numbers in this state or province (two letters).")
@click.option("--postal-code", metavar="CODE", help="Only numbers in this postal code.")
@click.option("--near", metavar="NUMBER", help="Only numbers near this one (within 25 miles).")
@click.option("--sms", is_flag=True, help="Only numbers that can send and receive SMS.")
@click.option("--mms", is_flag=True, help="Only numbers that can send and receive MMS.")
@click.option(
    "--limit",
    type=click.IntRange(1, TWILIO_RESULTS_MAX),
    default=TWILIO_RESULTS_MAX,
    show_default=True,
    help="How many to show; Twilio answers at most about 30 however many are asked for.",
)
def search_command(
    area_code: str | None,
    contains: str | None,
    number_type: str,
    region: str | None,
    postal_code: str | None,
    near: str | None,
    sms: bool,
    mms: bool,
    limit: int,
) -> None:
    """List numbers Twilio offers to buy, one a line, E.164 first; buy one with 'numbers provision
    BUSINESS --number E164'. Nothing is bought here."""
    form = {
        "number_type": number_type,
        "area_code": area_code or "",
        "contains": contains or "",
        "region": region or "",
        "postal_code": postal_code or "",
        "near_number": near or "",
        "sms": "y" if sms else "",
        "mms": "y" if mms else "",
    }
    try:
        found = search_numbers(replace(NumberSearch.from_form(form), limit=limit))
    except ValidationError as error:
        raise click.ClickException(error.message) from None
    if not found:
        click.echo("Twilio has no numbers matching that search; loosen the filters.")
        return
    for number in found:
        click.echo(describe(number))
