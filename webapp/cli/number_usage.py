"""`flask --app wsgi numbers usage NUMBER`: a number's last call and its calls over 30 days (CLI process)."""

from __future__ import annotations

import click

from webapp.cli.numbers import find_number
from webapp.models import ValidationError
from webapp.models.call_day import RECENT_DAYS, call_usage


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
    usage = call_usage(row.id)
    click.echo(
        f"Last {RECENT_DAYS} days: {usage.calls} calls, {usage.completed} completed, "
        f"{usage.talk_seconds} s talk time."
    )
