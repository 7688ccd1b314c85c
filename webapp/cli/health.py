"""`flask --app wsgi numbers health|test-call|check-health`: numbers' health in the shell."""

from __future__ import annotations

import click

from webapp.cli.health_text import health_text
from webapp.cli.numbers import find_number, report_or_wait, run_enqueue, waiting_options
from webapp.cli.waiting import wait_for
from webapp.jobs.enqueue import enqueue_health_check, enqueue_health_sweep, enqueue_test_call
from webapp.jobs.reads.health_cache import load_health
from webapp.models import ValidationError
from webapp.models.base import utcnow


@click.command("health")
@click.argument("number")
@click.option("--refresh", is_flag=True, help="Read the health from Twilio first (a job), and wait for it.")
@click.option("--timeout", type=click.IntRange(1), default=120, show_default=True, help="With --refresh.")
def health_command(number: str, refresh: bool, timeout: int) -> None:
    """Print NUMBER's Health panel: configuration, failed webhook requests, recent calls and messages, and
    who changed it, as last read from Twilio (and when).

    NUMBER is a US number in any common format or a Twilio SID (PN...).
    """
    try:
        row = find_number(number)
    except ValidationError as error:
        raise click.ClickException(str(error)) from None
    if refresh:
        [activity] = run_enqueue(lambda: [enqueue_health_check(row, None)])
        if not wait_for([activity], timeout):
            click.echo("The read did not succeed; showing what was read before.", err=True)
    click.echo(health_text(row.formatted, load_health(row.id), utcnow()))


@click.command("test-call")
@click.argument("number")
@waiting_options
def test_call_command(number: str, wait: bool, timeout: int) -> None:
    """Call NUMBER from TWILIO_TEST_CALLER and say whether calls reach the business.

    The verdict ("Your voice URL answered 200 in 180 ms" or "Twilio could not reach https://.../voice:
    connection refused (11200)") is the Activity's result or error; with --wait it is printed and a
    failing webhook exits 1.
    """
    report_or_wait(run_enqueue(lambda: [enqueue_test_call(find_number(number), None)]), wait, timeout)


@click.command("check-health")
@waiting_options
def check_health_command(wait: bool, timeout: int) -> None:
    """Read the account's Twilio alerts since the last check, in one paged walk, and mark each number with
    failed webhook requests "Webhook failing" (count, last error code and time)."""
    report_or_wait(run_enqueue(lambda: [enqueue_health_sweep(None)]), wait, timeout)
