"""`flask --app wsgi numbers usage NUMBER`: a number's last call and its calls over 30 days (CLI process)."""

from __future__ import annotations

from datetime import timedelta

import click

from webapp.cli.numbers import find_number
from webapp.models import ValidationError
from webapp.models.base import utcnow
from webapp.models.call_event import call_usage

USAGE_DAYS = 30
"""The period `numbers usage` counts, as the numbers list's "Calls (30 d)" will."""


@click.command("usage")
@click.argument("number")
def usage_command(number: str) -> None:
    """Print NUMBER's last call (time, status, length) and its calls, completed calls and talk time over
    the last 30 days, as Twilio's status callbacks reported them.

    NUMBER is a US number in any common format (+14155550100, (415) 555-0100) or a Twilio SID (PN...).
    """
    try:
        row = find_number(number)
    except ValidationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{row.formatted} ({row.e164}), {row.business.name}")
    if row.last_call_at is None:
        click.echo("Last call: none reported.")
    else:
        length = "" if row.last_call_duration is None else f", {row.last_call_duration} s"
        when = row.last_call_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        click.echo(f"Last call: {when}, {row.last_call_status}{length}.")
    usage = call_usage(row.id, utcnow() - timedelta(days=USAGE_DAYS))
    click.echo(
        f"Last {USAGE_DAYS} days: {usage.calls} calls, {usage.completed} completed, "
        f"{usage.talk_seconds} s talk time."
    )
