"""Fixtures for the Twilio client tests: a client factory that closes what it builds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import Redis

from tests.twilio_client.helpers import RecordingSleep, settings_for
from webapp.twilio_client import TwilioClient


@pytest.fixture
def sleep() -> RecordingSleep:
    """The retry loop's sleep for this test: records the waits, never waits."""
    return RecordingSleep()


@pytest.fixture
def make_client(redis_client: Redis, sleep: RecordingSleep) -> Iterator[Callable[..., TwilioClient]]:
    """Build clients against a base URL (`make_client(url, sleep=..., jitter=..., **settings)`).

    They share this test's Redis, record their waits in `sleep` unless given another, and are closed after.
    """
    built: list[TwilioClient] = []

    def make(
        base_url: str,
        *,
        sleep: Callable[[float], None] = sleep,
        jitter: Callable[[], float] = lambda: 0.5,
        **changes: Any,
    ) -> TwilioClient:
        client = TwilioClient(settings_for(base_url, **changes), redis_client, sleep=sleep, jitter=jitter)
        built.append(client)
        return client

    yield make
    for client in built:
        client.close()
