"""`flask --app wsgi numbers release|move|replace ...`: the commands that take numbers from businesses."""

from __future__ import annotations

import click
from flask import current_app

from webapp.cli.numbers import find_number, report_or_wait, run_enqueue, waiting_options
from webapp.cli.waiting import report_queued
from webapp.jobs.enqueue import (
    enqueue_move,
    enqueue_release,
    enqueue_replace,
    numbers_of_long_cancelled,
    release_cancelled,
)
from webapp.models import Activity
from webapp.models.lookup import find_business


@click.command("release")
@click.argument("numbers", nargs=-1, required=True, metavar="NUMBER...")
@click.option("--reason", metavar="TEXT", help="Why, kept in the number's history.")
@waiting_options
def release_command(numbers: tuple[str, ...], reason: str | None, wait: bool, timeout: int) -> None:
    """Release each NUMBER at Twilio (it stops costing money) and remove it from its business.

    NUMBER is a US number in any common format or a Twilio SID (PN...). Twilio offers a released number
    back only for a short time, and only through its own Console. The history keeps the number, its
    business, who released it and why.
    """

    def start() -> list[Activity]:
        return [enqueue_release(number, None, reason) for number in map(find_number, numbers)]

    report_or_wait(run_enqueue(start), wait, timeout)


@click.command("move")
@click.argument("number")
@click.argument("business")
@waiting_options
def move_command(number: str, business: str, wait: bool, timeout: int) -> None:
    """Move NUMBER to BUSINESS (its UUID or exact name), which must have no number.

    Twilio's FriendlyName becomes 'switchboard:<BUSINESS id>'; both businesses' pages record the move.
    """
    report_or_wait(
        run_enqueue(lambda: [enqueue_move(find_number(number), find_business(business), None)]), wait, timeout
    )


@click.command("replace")
@click.argument("number")
@click.option(
    "--area-code", metavar="NNN", help="Buy the new number here. Default: the old number's area code."
)
@click.option("--number", "new_number", metavar="E164", help="Buy exactly this number ('numbers search').")
@waiting_options
def replace_command(
    number: str, area_code: str | None, new_number: str | None, wait: bool, timeout: int
) -> None:
    """Give NUMBER's business a new number, then release NUMBER.

    The new number is bought first: if that fails, the business keeps NUMBER and nothing else changes.
    """
    report_or_wait(
        run_enqueue(lambda: [enqueue_replace(find_number(number), None, area_code, new_number)]),
        wait,
        timeout,
    )


@click.command("release-cancelled")
@click.option("--dry-run", is_flag=True, help="Only list the numbers that would be released.")
@click.option(
    "--days",
    type=click.IntRange(1),
    help="Cancelled for more than this many days. Default: the RELEASE_CANCELLED_AFTER_DAYS setting.",
)
def release_cancelled_command(dry_run: bool, days: int | None) -> None:
    """Release now the number of every business cancelled for longer than RELEASE_CANCELLED_AFTER_DAYS,
    as the hourly job does; list each one. Suspended, trial and re-activated businesses are never touched."""
    days = days or current_app.config["RELEASE_CANCELLED_AFTER_DAYS"]
    if days is None:
        raise click.ClickException("RELEASE_CANCELLED_AFTER_DAYS is not set: give --days N.")
    numbers = numbers_of_long_cancelled(days)
    if not numbers:
        click.echo(f"No business cancelled for more than {days} days has a number.")
        return
    for number in numbers:
        click.echo(
            f"{number.e164}  {number.business.name}  cancelled {number.business.cancelled_at:%Y-%m-%d}"
        )
    if not dry_run:
        report_queued(run_enqueue(lambda: release_cancelled(days)))
