"""`flask --app wsgi seed-demo`: idempotent demo data for a local console."""

from __future__ import annotations

import click
from flask import current_app

from webapp.extensions import db
from webapp.jobs.enqueue import QueueUnavailable, enqueue_provision
from webapp.models import Business, BusinessStatus, Role, User
from webapp.models.passwords import generated_password
from webapp.models.user import DEMO_ADMIN_EMAIL

AREA_CODES = ("415", "212", "646", "312", "510", "617", "206", "303")
STATUS_CYCLE = (
    BusinessStatus.ACTIVE,
    BusinessStatus.ACTIVE,
    BusinessStatus.TRIAL,
    BusinessStatus.ACTIVE,
    BusinessStatus.SUSPENDED,
    BusinessStatus.ACTIVE,
    BusinessStatus.CANCELLED,
    BusinessStatus.ACTIVE,
)
DEMO_NAMES = (
    "Acme Plumbing",
    "Bayview Dental",
    "Copperline Movers",
    "Delta Legal Group",
    "Evergreen Vets",
    "Foxglove Florists",
    "Granite Roofing",
    "Harbor Pediatrics",
    "Ironwood Fitness",
    "Juniper Realty",
)


def demo_business_name(index: int) -> str:
    """The deterministic name of the demo business number `index` (so seeding is idempotent)."""
    base = DEMO_NAMES[index % len(DEMO_NAMES)]
    return base if index < len(DEMO_NAMES) else f"{base} #{index // len(DEMO_NAMES) + 1}"


def seed_businesses(count: int) -> list[Business]:
    """Add the demo businesses that are missing; return those added that should get a number."""
    existing = set(db.session.scalars(db.select(Business.name)))
    wanting_numbers = []
    for index in range(count):
        name = demo_business_name(index)
        if name in existing:
            continue
        status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        business = Business(
            name=name,
            status=status,
            contact_email=f"owner{index}@example.com",
            preferred_area_code=AREA_CODES[index % len(AREA_CODES)],
        )
        db.session.add(business)
        if status == BusinessStatus.ACTIVE and index % 2 == 0:
            wanting_numbers.append(business)
    added = len(db.session.new)
    db.session.commit()
    click.echo(f"Demo data: {added} businesses added ({count} wanted).")
    return wanting_numbers


def provision_demo_numbers(businesses: list[Business]) -> None:
    """On the sandbox, provision a number for each business the real way; on a real account, none."""
    if not businesses:
        return
    if not current_app.config["TWILIO_SANDBOX"]:
        click.echo(
            f"Real Twilio account: no demo numbers bought ({len(businesses)} would have been); "
            "provision them from the console if you want them."
        )
        return
    try:
        for business in businesses:
            enqueue_provision(business, None)
    except QueueUnavailable as error:
        raise click.ClickException(f"Demo numbers were not provisioned: {error}") from None
    click.echo(
        f"Demo numbers: {len(businesses)} provisions queued; the worker buys them at the sandbox "
        "(see Activity)."
    )


def ensure_demo_admin() -> str | None:
    """Create the demo admin if missing and return its new password (None when it already existed)."""
    if db.session.execute(db.select(User).filter_by(email=DEMO_ADMIN_EMAIL)).first():
        return None
    password = generated_password()
    admin = User(email=DEMO_ADMIN_EMAIL, role=Role.ADMIN)
    admin.set_password(password)
    db.session.add(admin)
    db.session.commit()
    return password


@click.command("seed-demo")
@click.option(
    "--businesses",
    default=40,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many demo businesses there should be.",
)
@click.option(
    "--with-admin",
    is_flag=True,
    help=f"Also create the admin {DEMO_ADMIN_EMAIL} with a generated password, printed once.",
)
def seed_demo_command(businesses: int, with_admin: bool) -> None:
    """Add demo businesses (a mix of statuses) and, on the sandbox, provision numbers for some active ones.

    Against a real Twilio account no number is bought. Safe to run again.
    """
    provision_demo_numbers(seed_businesses(businesses))
    if with_admin:
        password = ensure_demo_admin()
        if password:
            click.echo(f"Demo admin: {DEMO_ADMIN_EMAIL}  password: {password}  (shown once)")
        else:
            click.echo(f"Demo admin {DEMO_ADMIN_EMAIL} already exists; its password is unchanged.")
