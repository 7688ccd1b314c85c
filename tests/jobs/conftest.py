"""The jobs tests run against a sandbox over HTTP, with real workers, and settings that take seconds."""

from __future__ import annotations

from typing import Any

import pytest

from harness.sandbox import SandboxProcess
from harness.workers import FAST_JOB_SETTINGS, sandbox_settings


@pytest.fixture
def app_settings(app_settings: dict[str, Any], sandbox: SandboxProcess) -> dict[str, Any]:
    """The app's settings, pointed at this test's sandbox, with fast retries and dead-worker detection."""
    return {**app_settings, **sandbox_settings(sandbox), **FAST_JOB_SETTINGS}
