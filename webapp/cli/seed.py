"""`flask --app wsgi seed-demo`: idempotent demo data for a local console."""

from __future__ import annotations

import secrets

import click

from webapp.extensions import db
from webapp.models import Business, BusinessStatus, PhoneNumber, Role, User, WebhookStatus

DEMO_ADMIN_EMAIL = "admin@example.com"
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


def demo_number(index: int) -> PhoneNumber:
    """A demo number in the 555-01xx range, which is reserved for fiction."""
    area_code = AREA_CODES[index % len(AREA_CODES)]
    return PhoneNumber(
        e164=f"+1{area_code}555{index:04d}",
        twilio_sid=f"PN{index:032x}",
        capabilities={"voice": True, "sms": True, "mms": index % 3 == 0, "fax": False},
        webhook_status=WebhookStatus.UNKNOWN,
    )


def seed_businesses(count: int) -> int:
    """Add the demo businesses that are missing; every other active one gets a number. Return how many."""
    existing = set(db.session.scalars(db.select(Business.name)))
    added = 0
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
        if status == BusinessStatus.ACTIVE and index % 2 == 0:
            business.phone_number = demo_number(index)
        db.session.add(business)
        added += 1
    db.session.commit()
    return added


def ensure_demo_admin() -> str | None:
    """Create the demo admin if missing and return its new password (None when it already existed)."""
    if db.session.execute(db.select(User).filter_by(email=DEMO_ADMIN_EMAIL)).first():
        return None
    password = secrets.token_urlsafe(12)
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
    """Add demo businesses (a mix of statuses; some active ones with numbers). Safe to run again."""
    added = seed_businesses(businesses)
    click.echo(f"Demo data: {added} businesses added ({businesses} wanted).")
    if with_admin:
        password = ensure_demo_admin()
        if password:
            click.echo(f"Demo admin: {DEMO_ADMIN_EMAIL}  password: {password}  (shown once)")
        else:
            click.echo(f"Demo admin {DEMO_ADMIN_EMAIL} already exists; its password is unchanged.")
