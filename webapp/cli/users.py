"""`flask --app wsgi users ...`: manage console users from the shell."""

from __future__ import annotations

import sys

import click

from webapp.extensions import db
from webapp.models import Role, User, ValidationError, commit_or_raise
from webapp.models.passwords import generated_password
from webapp.models.user import normalise_email


@click.group("users", help="Manage the console's users.")
def users_group() -> None:
    """Manage the console's users."""


@users_group.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.VIEWER.value,
    show_default=True,
    help="viewer reads; operator also provisions and re-syncs; admin also manages users and records.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt."
)
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create a console user with EMAIL, prompting for the password."""
    try:
        email = normalise_email(email)
        if db.session.execute(db.select(User).filter_by(email=email)).first():
            raise ValidationError("email", f"A user with the e-mail {email} already exists.")
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else _prompt_password()
        user = User(email=email, role=role)
        user.set_password(password)
        db.session.add(user)
        commit_or_raise(db.session)
    except ValidationError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role} {user.email}.")


@users_group.command("reset-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the new password from standard input instead of generating one.",
)
def reset_password_command(email: str, password_stdin: bool) -> None:
    """Give the user EMAIL a new password: a generated one, printed, or one read with --password-stdin.
    Every session of that user ends."""
    try:
        user = db.session.scalars(db.select(User).filter_by(email=normalise_email(email))).first()
        if user is None:
            raise ValidationError("email", f"No user has the e-mail {email}.")
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generated_password()
        user.set_password(password)
        commit_or_raise(db.session)
    except ValidationError as error:
        raise click.ClickException(error.message) from None
    if password_stdin:
        click.echo(f"New password set for {user.email}.")
    else:
        click.echo(f"New password for {user.email}: {password}")


def _prompt_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)
