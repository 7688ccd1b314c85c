"""Switchboard's Twilio client: `get_client()` inside an app, `TwilioClient(settings, redis)` outside one.

Views take only `breaker_states` from here; jobs and scripts use the client.
"""

from __future__ import annotations

import os

from flask import current_app

from webapp.redis_connection import get_redis
from webapp.twilio_client.breakers import BreakerState, breaker_states
from webapp.twilio_client.client import WEBHOOK_METHOD, TwilioClient, load_library
from webapp.twilio_client.errors import (
    ApiError,
    AuthError,
    CircuitOpen,
    NotFound,
    NumberUnavailable,
    RateLimited,
    TwilioUnavailable,
)
from webapp.twilio_client.models import AvailableNumber, Call, Message, NumberPage, TwilioNumber
from webapp.twilio_client.settings import TwilioSettings

__all__ = [
    "WEBHOOK_METHOD",
    "ApiError",
    "AuthError",
    "AvailableNumber",
    "BreakerState",
    "Call",
    "CircuitOpen",
    "Message",
    "NotFound",
    "NumberPage",
    "NumberUnavailable",
    "RateLimited",
    "TwilioClient",
    "TwilioNumber",
    "TwilioSettings",
    "TwilioUnavailable",
    "breaker_states",
    "get_client",
    "load_library",
]


def get_client() -> TwilioClient:
    """Return the current app's Twilio client, built from its config and Redis once per app and process.

    Per process because a forked worker must not share the parent's pooled connections.
    """
    built = current_app.extensions.get("twilio_client")
    if built is None or built[0] != os.getpid():
        built = (os.getpid(), TwilioClient(TwilioSettings.from_config(current_app.config), get_redis()))
        current_app.extensions["twilio_client"] = built
    return built[1]
