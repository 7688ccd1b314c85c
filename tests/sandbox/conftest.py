"""Sandbox tests drive it with the official `twilio` library, pointed at the sandbox's base URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from harness.sandbox import SandboxProcess


@pytest.fixture
def make_rest_client() -> Iterator[Callable[..., Client]]:
    """Return `make(sandbox, timeout=5.0, auth_token=None)`: a twilio `Client` talking to that sandbox."""
    sessions: list[TwilioHttpClient] = []

    def make(box: SandboxProcess, timeout: float = 5.0, auth_token: str | None = None) -> Client:
        http_client = TwilioHttpClient(timeout=timeout)
        sessions.append(http_client)
        client = Client(box.account_sid, auth_token or box.auth_token, http_client=http_client)
        # Undocumented but stable in twilio-python 9: the domain reads base_url on every request.
        client.api.base_url = box.base_url
        return client

    yield make
    for http_client in sessions:
        if http_client.session is not None:
            http_client.session.close()


@pytest.fixture
def rest_client(sandbox: SandboxProcess, make_rest_client: Callable[..., Client]) -> Client:
    """A twilio `Client` for the plain `sandbox`."""
    return make_rest_client(sandbox)
