"""The Twilio client's own overhead: calls per second through `TwilioClient` over a bare `twilio` loop.

Both loops run in this process against the same sandbox at 0 ms latency, over the same numbers, with the
same parameters, alternating run by run so that a disturbance hits both; the ratio is taken within each
pair of runs and the table shows the medians. Target: at least 0.9 of the bare library's rate.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from twilio.rest import Client

from bench.environment import BENCH_REDIS_URL
from bench.processes import POOL_SIZE, VOICE_URL
from bench.results import Table
from bench.stats import median
from harness.sandbox import start_sandbox_process
from webapp.redis_connection import redis_from_url
from webapp.twilio_client import TwilioClient, TwilioSettings
from webapp.twilio_client.configuration import WEBHOOK_METHOD, NumberConfiguration

TARGET = 0.9
"""The client must reach this share of the bare library's calls per second."""

NUMBERS = 20
"""Numbers bought at the sandbox; the loops go round them."""


def bare_calls(client: Client, sids: list[str], calls: int, operation: str) -> float:
    """Return calls per second of the bare library doing `operation` `calls` times."""
    started = time.perf_counter()
    for index in range(calls):
        number = client.incoming_phone_numbers(sids[index % len(sids)])
        if operation == "update":
            number.update(
                voice_url=VOICE_URL, voice_method=WEBHOOK_METHOD, status_callback_method=WEBHOOK_METHOD
            )
        else:
            number.fetch()
    return calls / (time.perf_counter() - started)


def client_calls(client: TwilioClient, sids: list[str], calls: int, operation: str) -> float:
    """Return calls per second of our client doing `operation` `calls` times."""
    call: Callable[[str], object] = (
        (lambda sid: client.update_number_webhook(sid, NumberConfiguration(VOICE_URL)))
        if operation == "update"
        else client.fetch_number
    )
    started = time.perf_counter()
    for index in range(calls):
        call(sids[index % len(sids)])
    return calls / (time.perf_counter() - started)


def run(quick: bool) -> list[Table]:
    """Measure both operations the webhook jobs send (update, fetch); return the table."""
    runs, calls = (3, 100) if quick else (9, 2000)
    redis = redis_from_url(BENCH_REDIS_URL)
    redis.flushdb()
    with tempfile.TemporaryDirectory(prefix="bench-client-") as directory:
        sandbox = start_sandbox_process(Path(directory), pool_size=POOL_SIZE)
        try:
            bare = Client(sandbox.account_sid, sandbox.auth_token)
            bare.api.base_url = sandbox.base_url  # the library's own attribute: no code of ours in the loop
            settings = TwilioSettings(sandbox.account_sid, sandbox.auth_token, sandbox.base_url)
            ours = TwilioClient(settings, redis)
            sids = [
                bare.incoming_phone_numbers.create(
                    phone_number=f"+1415555{100 + i:04d}", voice_url=VOICE_URL
                ).sid
                for i in range(NUMBERS)
            ]
            rows = []
            for operation in ("update", "fetch"):
                bare_calls(bare, sids, calls // 10, operation)  # warm both connections and code paths
                client_calls(ours, sids, calls // 10, operation)
                bare_rates, client_rates, ratios = [], [], []
                for _ in range(runs):
                    bare_rates.append(bare_calls(bare, sids, calls, operation))
                    client_rates.append(client_calls(ours, sids, calls, operation))
                    ratios.append(client_rates[-1] / bare_rates[-1])
                ratio = median(ratios)
                rows.append(
                    [
                        "update_number_webhook" if operation == "update" else "fetch_number",
                        f"{median(bare_rates):.0f}",
                        f"{median(client_rates):.0f}",
                        f"{ratio:.3f}",
                        "yes" if ratio >= TARGET else "no",
                    ]
                )
            ours.close()
        finally:
            sandbox.stop()
            redis.flushdb()
            redis.close()
    return [
        Table(
            title="Twilio client overhead (sandbox at 0 ms)",
            method=(
                f"{'Quick' if quick else 'Full'} run: {calls} calls per loop, {runs} alternating runs of the "
                "bare `twilio` library and of `TwilioClient` (validation, Redis-backed breaker, retry "
                f"wrapper, our dataclasses) over the same {NUMBERS} numbers; medians; the ratio is taken "
                f"within each pair of runs. Target: ratio ≥ {TARGET}."
            ),
            columns=["operation", "bare twilio (calls/s)", "TwilioClient (calls/s)", "ratio", "target met"],
            rows=rows,
        )
    ]
