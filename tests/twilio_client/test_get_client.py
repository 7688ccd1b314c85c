"""`get_client()` inside an app context: built from the app's settings and Redis, once per app."""

from __future__ import annotations

import pytest
from flask import Flask

from harness.prism import PrismServer
from tests.twilio_client.helpers import NUMBER_SID
from webapp.twilio_client import TwilioClient, get_client


@pytest.fixture
def app_settings(app_settings: dict, prism: PrismServer) -> dict:
    return {**app_settings, "TWILIO_API_BASE_URL": prism.base_url, "TWILIO_MAX_ATTEMPTS": 1}


def test_get_client_is_configured_from_the_app(app: Flask, prism: PrismServer) -> None:
    client = get_client()
    try:
        assert isinstance(client, TwilioClient)
        assert get_client() is client
        assert client.settings.api_base_url == prism.base_url
        assert client.settings.max_attempts == 1
        assert client.fetch_number(NUMBER_SID).sid.startswith("PN")
        assert prism.requests_received() == 1
    finally:
        client.close()
