"""Browser tests run the console against the local Twilio sandbox, with fast job settings."""

from __future__ import annotations

import pytest

from harness.workers import FAST_JOB_SETTINGS


@pytest.fixture
def app_settings(app_settings: dict, sandbox) -> dict:  # type: ignore[no-untyped-def]
    """The test app and its workers on the sandbox, which keeps the console in sandbox mode (banner on)."""
    return {**app_settings, **FAST_JOB_SETTINGS, "TWILIO_SANDBOX_PORT": str(sandbox.port)}
