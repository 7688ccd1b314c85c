"""The last health read of each number, kept in Redis with the time it was read.

The console and `numbers health` show it ("as of 12:03"); a refresh replaces it, and a refresh that could
not reach Twilio keeps it and adds a note saying so, so an outage never blanks the panel.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any, cast

from redis.exceptions import RedisError

from webapp.redis_connection import get_redis

logger = logging.getLogger(__name__)

KEY = "switchboard:health:{}"
"""Redis key of a number's health snapshot (JSON), by the number's id."""

KEPT_SECONDS = 30 * 24 * 3600
"""How long a snapshot is kept unread: Twilio keeps alerts 30 days."""


def save_health(number_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
    """Store the number's latest health snapshot (JSON-ready)."""
    get_redis().set(KEY.format(number_id), json.dumps(snapshot), ex=KEPT_SECONDS)


def load_health(number_id: uuid.UUID) -> dict[str, Any] | None:
    """Return the number's latest health snapshot, or None (never read, or Redis does not answer)."""
    try:
        # redis-py types every answer as maybe awaitable, for its asyncio client too
        raw = cast("bytes | None", get_redis().get(KEY.format(number_id)))
    except RedisError as error:
        logger.warning("Could not read the health of %s: %s", number_id, error)
        return None
    return json.loads(raw) if raw else None


def note_unreadable(number_id: uuid.UUID, message: str, at: datetime) -> None:
    """Keep the last snapshot and note that a refresh at `at` could not read Twilio, and why."""
    snapshot = load_health(number_id) or {}
    snapshot["unreadable"] = {"at": at.isoformat(), "message": message}
    save_health(number_id, snapshot)
