"""The `twilio-sandbox` command: `flask --app wsgi twilio-sandbox` or `python -m webapp.sandbox`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from webapp.config import SANDBOX_DEFAULT_PORT
from webapp.sandbox.faults import FaultPlan, FaultSpecError, parse_faults
from webapp.sandbox.pool import DEFAULT_POOL_SIZE, MAX_POOL_SIZE
from webapp.sandbox.server import DEFAULT_DB_PATH, run_sandbox
from webapp.sandbox.state import MAX_CONCURRENCY


class FaultsParam(click.ParamType):
    """`--faults` text, checked when the command starts so a typo is a usage error, not a traceback."""

    name = "faults"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> FaultPlan:
        """Return the parsed plan, or fail with the parser's sentence."""
        if isinstance(value, FaultPlan):
            return value
        try:
            return parse_faults(value)
        except FaultSpecError as error:
            self.fail(str(error), param, ctx)


@click.command("twilio-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=SANDBOX_DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB_PATH,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file holding the sandbox's numbers, calls and messages; survives restarts.",
)
@click.option(
    "--faults",
    default="",
    type=FaultsParam(),
    help="Injected faults, e.g. '500=0.2,429=0.1,timeout=0.05,reset=0.05,drop=0.05' "
    "(also hang=SECONDS, retry_after=SECONDS, method=POST, path=/IncomingPhoneNumbers); status callbacks: "
    "callback_drop=P, callback_duplicate=P, callback_delay=P, callback_wait=SECONDS.",
)
@click.option(
    "--latency-ms", default=0, show_default=True, type=click.IntRange(0), help="Delay every request."
)
@click.option(
    "--pool-size",
    default=DEFAULT_POOL_SIZE,
    show_default=True,
    type=click.IntRange(0, MAX_POOL_SIZE),
    help="Numbers for sale per area code; 0 means none anywhere.",
)
@click.option("--seed", type=int, default=None, help="Seed for the fault draw, for repeatable runs.")
@click.option(
    "--max-concurrency",
    default=0,
    show_default=True,
    type=click.IntRange(0, MAX_CONCURRENCY),
    help="Answer Twilio's 429 (code 20429) to requests beyond this many in flight; 0 means no cap.",
)
def twilio_sandbox_command(
    host: str,
    port: int,
    db_path: Path,
    faults: FaultPlan,
    latency_ms: int,
    pool_size: int,
    seed: int | None,
    max_concurrency: int,
) -> None:
    """Run a local, stateful fake of the Twilio API parts Switchboard uses (see webapp/sandbox)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        run_sandbox(host, port, db_path, faults, latency_ms, pool_size, seed, max_concurrency)
    except OSError as error:  # e.g. the state file's folder cannot be created; werkzeug reports a taken port
        raise click.ClickException(f"Cannot start the sandbox: {error}") from None
