"""Test data for the Twilio client tests: settings, ids and a sleep that records instead of waiting."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from harness.services import free_port
from webapp.config import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from webapp.twilio_client import TwilioSettings

NUMBER_SID = "PN" + "1a" * 16
CALL_SID = "CA" + "2b" * 16
VOICE_URL = "https://switchboard.example.com/voice"
STATUS_CALLBACK_URL = "https://switchboard.example.com/status"


def settings_for(base_url: str, **changes: Any) -> TwilioSettings:
    """Settings pointing at `base_url`, with fast retries (tiny backoff) and `changes` on top."""
    base = TwilioSettings(
        account_sid=SANDBOX_ACCOUNT_SID,
        auth_token=SANDBOX_AUTH_TOKEN,
        api_base_url=base_url,
        connect_timeout=2.0,
        read_timeout=5.0,
        max_attempts=3,
        backoff_seconds=0.01,
        retry_after_cap=30.0,
        breaker_fail_max=50,
        breaker_reset_timeout=30,
    )
    return replace(base, **changes)


@dataclass
class RecordingSleep:
    """A `sleep` for the retry loop: records each wait and returns at once."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def refused_url() -> str:
    """A base URL on a local port where nothing listens: every request fails before it is sent."""
    return f"http://127.0.0.1:{free_port()}"


@dataclass
class HealingSleep(RecordingSleep):
    """A `sleep` that turns the sandbox's faults off at the first wait: the next attempt finds Twilio well."""

    sandbox: Any = None

    def __call__(self, seconds: float) -> None:
        if not self.waits:
            self.sandbox.set_faults("")
        super().__call__(seconds)
