"""The `flask --app wsgi ...` commands."""

from __future__ import annotations

from flask import Flask

from webapp.cli.emergency import businesses_group, emergency_command
from webapp.cli.health import check_health_command, health_command, test_call_command
from webapp.cli.number_calls import backfill_command, idle_command
from webapp.cli.number_lifecycle import (
    move_command,
    release_cancelled_command,
    release_command,
    replace_command,
)
from webapp.cli.number_search import search_command
from webapp.cli.number_usage import usage_command
from webapp.cli.numbers import numbers_group
from webapp.cli.seed import seed_demo_command
from webapp.cli.users import users_group
from webapp.cli.worker import worker_command
from webapp.sandbox.cli import twilio_sandbox_command


def init_app(app: Flask) -> None:
    """Register every command on `app`."""
    app.cli.add_command(users_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(twilio_sandbox_command)
    for command in (
        search_command,
        release_command,
        move_command,
        replace_command,
        release_cancelled_command,
        health_command,
        test_call_command,
        check_health_command,
        usage_command,
        emergency_command,
        idle_command,
        backfill_command,
    ):
        numbers_group.add_command(command)
    app.cli.add_command(numbers_group)
    app.cli.add_command(businesses_group)
    app.cli.add_command(worker_command)
