"""Sandbox tests drive it with the official `twilio` library, pointed at the sandbox's base URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from twilio.rest import Client

from harness.sandbox import SandboxProcess


@pytest.fixture
def rest_client(sandbox: SandboxProcess, make_rest_client: Callable[..., Client]) -> Client:
    """A twilio `Client` for the plain `sandbox`."""
    return make_rest_client(sandbox)
