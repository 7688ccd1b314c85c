"""The Twilio client's settings, as a dataclass so the client can be built without Flask."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TwilioSettings:
    """Credentials, endpoints, timeouts, retry, breaker and concurrency limits (see `webapp/config.py`)."""

    account_sid: str
    auth_token: str = field(repr=False)
    api_base_url: str = "https://api.twilio.com"
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    max_attempts: int = 3
    backoff_seconds: float = 0.5
    retry_after_cap: float = 30.0
    breaker_fail_max: int = 5
    breaker_reset_timeout: float = 30
    max_concurrency: int = 20

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TwilioSettings:
        """Return the settings from the app's config (the `TWILIO_*` and `BREAKER_*` keys)."""
        return cls(
            account_sid=config["TWILIO_ACCOUNT_SID"],
            auth_token=config["TWILIO_AUTH_TOKEN"],
            api_base_url=config["TWILIO_API_BASE_URL"],
            connect_timeout=config["TWILIO_CONNECT_TIMEOUT"],
            read_timeout=config["TWILIO_READ_TIMEOUT"],
            max_attempts=config["TWILIO_MAX_ATTEMPTS"],
            backoff_seconds=config["TWILIO_BACKOFF_SECONDS"],
            retry_after_cap=config["TWILIO_RETRY_AFTER_CAP"],
            breaker_fail_max=config["BREAKER_FAIL_MAX"],
            breaker_reset_timeout=config["BREAKER_RESET_TIMEOUT"],
            max_concurrency=config["TWILIO_MAX_CONCURRENCY"],
        )
