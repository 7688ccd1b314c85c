"""Switchboard's Twilio client: `get_client()` inside an app, `TwilioClient(settings, redis)` outside one.

Views take only `breaker_states` and `concurrency_state` from here; jobs and scripts use the client.
"""

from __future__ import annotations

import os
import threading

from flask import current_app
from redis.exceptions import RedisError

from webapp.redis_connection import get_redis
from webapp.twilio_client.breakers import BreakerState, breaker_states
from webapp.twilio_client.client import TwilioClient, load_library
from webapp.twilio_client.concurrency import ConcurrencyState
from webapp.twilio_client.configuration import (
    Difference,
    NumberConfiguration,
    changes,
    foreign_differences,
    managed_values,
    routes_elsewhere,
)
from webapp.twilio_client.errors import (
    ApiError,
    AuthError,
    CircuitOpen,
    NoSlotFree,
    NotFound,
    NumberUnavailable,
    RateLimited,
    TimedOut,
    TwilioUnavailable,
)
from webapp.twilio_client.models import (
    AvailableNumber,
    Call,
    CallPage,
    Message,
    NumberPage,
    NumberPrices,
    SearchArea,
    TwilioAddress,
    TwilioNumber,
)
from webapp.twilio_client.monitor import Alert, CallEvent, MonitorEvent
from webapp.twilio_client.settings import TwilioSettings

__all__ = [
    "Alert",
    "ApiError",
    "AuthError",
    "AvailableNumber",
    "BreakerState",
    "Call",
    "CallEvent",
    "CallPage",
    "CircuitOpen",
    "ConcurrencyState",
    "Difference",
    "Message",
    "MonitorEvent",
    "NoSlotFree",
    "NotFound",
    "NumberConfiguration",
    "NumberPage",
    "NumberPrices",
    "NumberUnavailable",
    "RateLimited",
    "SearchArea",
    "TimedOut",
    "TwilioAddress",
    "TwilioClient",
    "TwilioNumber",
    "TwilioSettings",
    "TwilioUnavailable",
    "breaker_states",
    "changes",
    "concurrency_state",
    "foreign_differences",
    "get_client",
    "load_library",
    "managed_values",
    "routes_elsewhere",
]


def concurrency_state() -> ConcurrencyState | None:
    """Return the account's Twilio requests in flight and its concurrency limit; None if Redis is down."""
    try:
        return get_client().concurrency.state()
    except RedisError:
        return None


def get_client() -> TwilioClient:
    """Return the current app's Twilio client, built from its config and Redis once per app, process and
    thread.

    Per process because a forked worker must not share the parent's pooled connections; per thread because
    pybreaker holds a breaker's lock for the whole call, so threads sharing one client would send one
    request at a time.
    """
    per_thread = current_app.extensions.setdefault("twilio_client", threading.local())
    built = getattr(per_thread, "built", None)
    if built is None or built[0] != os.getpid():
        built = (os.getpid(), TwilioClient(TwilioSettings.from_config(current_app.config), get_redis()))
        per_thread.built = built
    return built[1]
