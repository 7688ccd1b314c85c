"""`flask --app wsgi numbers idle` and `numbers backfill-calls` (CLI process): the idle numbers, and
catching up on calls the status callbacks missed."""

from __future__ import annotations

import csv
import sys

import click

from webapp.admin.exports import spreadsheet_safe
from webapp.jobs.reads.call_backfill import BackfillRefused, backfill_calls
from webapp.jobs.reads.idle_numbers import COLUMNS, idle_rows
from webapp.models.idle import IdleRule
from webapp.twilio_client import ApiError


@click.command("idle")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row instead of aligned text.")
def idle_command(as_csv: bool) -> None:
    """Print the numbers at risk of reclaim, as the Idle numbers page lists them: older than
    IDLE_MIN_AGE_DAYS with fewer than 3 completed calls of 12 s or more in the last IDLE_DAYS ("Idle": none).
    """
    rows = idle_rows(IdleRule.configured())
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(COLUMNS)
        writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)  # as the page's export
        return
    if not rows:
        click.echo("No number is idle or at risk of reclaim.")
        return
    widths = [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows, strict=False)]
    for row in (COLUMNS, *rows):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@click.command("backfill-calls")
@click.option("--days", type=int, default=1, show_default=True, help="How many days back to read.")
def backfill_command(days: int) -> None:
    """Read the account's calls of the last DAYS days from Twilio (1,000 a page) and record those the status
    callbacks missed; a call already recorded is never counted again. At most CALL_EVENTS_KEEP_DAYS days.
    """
    try:
        done = backfill_calls(days)
    except (BackfillRefused, ApiError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Read {done.calls} calls in {done.pages} pages; {done.recorded} were new.")
