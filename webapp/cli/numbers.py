"""`flask --app wsgi numbers ...`: provision numbers and keep their webhooks in sync, from the shell."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import click

from webapp.cli.waiting import report_queued, wait_for
from webapp.extensions import db
from webapp.jobs.enqueue import (
    QueueUnavailable,
    enqueue_bulk_resync,
    enqueue_check,
    enqueue_provision,
    enqueue_resync_drifted,
)
from webapp.jobs.reads.orphans import ForeignConfiguration, OrphanSearchFailed, adopt, find_orphans
from webapp.models import Activity, PhoneNumber, ValidationError
from webapp.models.lookup import find_business
from webapp.models.phone_format import normalise_e164
from webapp.number_formats import NUMBER_SID_PATTERN
from webapp.twilio_client import ApiError

WAIT_HELP = "Wait for the job(s) to end: exit 0 if they succeeded, 1 with the error otherwise."
TIMEOUT_HELP = "With --wait, give up waiting after this many seconds (the jobs go on)."


def waiting_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--wait` and `--timeout` to a command that starts jobs."""
    command = click.option(
        "--timeout", type=click.IntRange(1), default=600, show_default=True, help=TIMEOUT_HELP
    )(command)
    return click.option("--wait", is_flag=True, help=WAIT_HELP)(command)


def run_enqueue(start_jobs: Callable[[], list[Activity]]) -> list[Activity]:
    """Return the Activities `start_jobs` created; bad input or a missing queue ends the command (exit 1)."""
    try:
        return start_jobs()
    except (ValidationError, QueueUnavailable) as error:
        raise click.ClickException(str(error)) from None


def activities_by_id(ids: list[uuid.UUID]) -> list[Activity]:
    """Return the Activities with these ids, read a thousand at a time."""
    chunks = (ids[first : first + 1000] for first in range(0, len(ids), 1000))
    return [
        activity
        for chunk in chunks
        for activity in db.session.scalars(db.select(Activity).where(Activity.id.in_(chunk)))
    ]


def find_number(text: str) -> PhoneNumber:
    """Return the number `text` names: a Twilio SID (PN...) or a US number in any common format.

    Raises:
        ValidationError: it is malformed or no business has that number.
    """
    text = text.strip()
    if NUMBER_SID_PATTERN.fullmatch(text):
        number = db.session.scalars(db.select(PhoneNumber).filter_by(twilio_sid=text)).first()
    else:
        number = db.session.scalars(db.select(PhoneNumber).filter_by(e164=normalise_e164(text))).first()
    if number is None:
        raise ValidationError("number", f"No business has the number {text!r}.")
    return number


@click.group("numbers")
def numbers_group() -> None:
    """Provision businesses' numbers and keep their configuration at Twilio in sync.

    The work runs in job workers ('flask --app wsgi worker'); each command prints the id of the Activity
    it started (the console shows it too), or waits for it with --wait.
    """


@numbers_group.command("provision")
@click.argument("business")
@click.option(
    "--area-code",
    metavar="NNN",
    help="Area code to buy in. Default: the business's preferred one; if it has none, anywhere in the US.",
)
@click.option(
    "--number",
    "phone_number",
    metavar="E164",
    help="Buy exactly this number (one 'numbers search' offered) instead of any in an area code.",
)
@waiting_options
def provision_command(
    business: str, area_code: str | None, phone_number: str | None, wait: bool, timeout: int
) -> None:
    """Buy a number for BUSINESS (its UUID or exact name) with Switchboard's whole configuration.

    Only an active business without a number gets one. Run again after a failure: a number bought by an
    interrupted attempt is adopted, never bought twice. With --number, a number Twilio no longer sells
    fails the job with nothing bought: search again.
    """

    def start_jobs() -> list[Activity]:
        target = find_business(business)
        if (refusal := target.why_no_number()) is not None:
            raise ValidationError("business", refusal)
        return [
            enqueue_provision(target, None, area_code.strip() if area_code else None, phone_number or None)
        ]

    report_or_wait(run_enqueue(start_jobs), wait, timeout)


@numbers_group.command("resync")
@click.argument("numbers", nargs=-1, metavar="[NUMBER]...")
@click.option("--all", "every", is_flag=True, help="Re-sync every number.")
@click.option(
    "--drifted", is_flag=True, help="Re-sync every number whose webhook drifted or failed its check."
)
@waiting_options
def resync_command(numbers: tuple[str, ...], every: bool, drifted: bool, wait: bool, timeout: int) -> None:
    """Set every managed field at Twilio (voice URL, fallback, status callback, SMS URL, their methods; no
    application or SIP trunk) to today's settings, in one update, for each NUMBER, --all, or the --drifted
    ones. Each re-sync's Activity lists the fields it changed, from what to what.

    NUMBER is a US number in any common format (+14155550100, (415) 555-0100) or a Twilio SID (PN...).
    """

    def start_jobs() -> list[Activity]:
        if sum((bool(numbers), every, drifted)) != 1:
            raise ValidationError("numbers", "Give NUMBER(s), --all or --drifted (exactly one of them).")
        if drifted:
            return [enqueue_resync_drifted(None)]
        targets = (
            db.session.execute(db.select(PhoneNumber.id, PhoneNumber.business_id)).all()
            if every
            else [find_number(n) for n in numbers]
        )
        if not targets:
            raise ValidationError("numbers", "There are no numbers to re-sync.")
        outcome = enqueue_bulk_resync(targets, None)
        return activities_by_id(outcome.started + outcome.already_in_flight)

    report_or_wait(run_enqueue(start_jobs), wait, timeout)


@numbers_group.command("check-webhooks")
@click.argument("numbers", nargs=-1, metavar="[NUMBER]...")
@waiting_options
def check_webhooks_command(numbers: tuple[str, ...], wait: bool, timeout: int) -> None:
    """Compare every managed field at Twilio with the settings, for each NUMBER or (by default) all numbers.

    Marks each number in sync, drifted (saying which fields differ and how) or in error (gone from the
    Twilio account).
    All numbers, or more than 300, are checked by walking Twilio's list of the account's numbers (1,000 a
    request), which also counts the orphans (see `numbers orphans`).
    """
    report_or_wait(
        run_enqueue(lambda: [enqueue_check([find_number(n) for n in numbers] if numbers else None, None)]),
        wait,
        timeout,
    )


@numbers_group.command("orphans")
@click.option(
    "--adopt",
    "adopt_them",
    is_flag=True,
    help="Attach each orphan to its business if it has no number, setting our configuration on it.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --adopt: also take orphans set up for someone else (a voice URL not ours, an application "
    "or a SIP trunk).",
)
def orphans_command(adopt_them: bool, force: bool) -> None:
    """List numbers on the Twilio account named 'switchboard:<business id>' that no business records.

    They come from purchases that could not be recorded. With --adopt, each is attached to its business when
    that business has no number, and gets our configuration (voice URL, fallback, status callback, SMS URL;
    no application or trunk). One whose calls go to someone else (a voice URL that is not ours, an
    application or a SIP trunk) is listed with the fields adopting would change, and taken only with
    --adopt --force. The others are only reported.
    """
    try:
        orphans = find_orphans()
    except OrphanSearchFailed as error:
        raise click.ClickException(str(error)) from None
    if not orphans:
        click.echo("No orphans: every switchboard number at Twilio is recorded.")
        return
    for orphan in orphans:
        if adopt_them and orphan.adoptable and (force or not orphan.foreign):
            try:
                row = adopt(orphan, force=force)
            except (ValidationError, ApiError) as error:
                click.echo(f"{orphan.describe()} Not adopted: {error.message}")
                continue
            except ForeignConfiguration as error:
                click.echo(f"{orphan.describe()} Not adopted: {error}")
                continue
            click.echo(
                f"Adopted {row.e164} ({row.twilio_sid}) for {orphan.business}; webhook {row.webhook_status}."
            )
        elif adopt_them and orphan.adoptable:
            click.echo(f"Not adopted without --force: {orphan.describe()}")
        else:
            click.echo(orphan.describe())


def report_or_wait(activities: list[Activity], wait: bool, timeout: int) -> None:
    """Print the started Activities, or wait for them and exit non-zero unless all succeeded."""
    report_queued(activities)
    if wait and not wait_for(activities, timeout):
        raise SystemExit(1)
