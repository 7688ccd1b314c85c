"""The fleet's counts by status as the workers last counted them, kept in Redis with the time (any process).

The recurring `fleet_gauges` job counts businesses by status, numbers by webhook status, the businesses
awaiting a number and the voice numbers without an emergency address exactly, and stores them here; the
dashboard shows them with their age ("counted 40 s ago") instead of counting tables that grow with the fleet
on every view. A snapshot older than `FRESH_SECONDS` (the workers have stopped) is not shown: the dashboard
counts for itself again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import cast

from redis.exceptions import RedisError

from webapp.redis_connection import get_redis

logger = logging.getLogger(__name__)

KEY = "switchboard:fleet-counts"
"""Redis key of the latest snapshot (JSON)."""

FRESH_SECONDS = 600
"""The oldest snapshot the dashboard shows: ten rounds of the recurring count."""


@dataclass(frozen=True)
class FleetCounts:
    """Exact counts as of `counted_at` (UTC): by status value, the businesses awaiting a number, and the
    numbers that take calls without a registered emergency address (None in a snapshot stored before the
    workers counted them)."""

    counted_at: datetime
    businesses: dict[str, int]
    numbers: dict[str, int]
    awaiting: int
    without_emergency_address: int | None = None

    def age_seconds(self, now: datetime | None = None) -> float:
        """Seconds since the count."""
        return ((now or datetime.now(UTC)) - self.counted_at).total_seconds()


def save_fleet_counts(counts: FleetCounts) -> None:
    """Store `counts` as the latest snapshot."""
    values = {**asdict(counts), "counted_at": counts.counted_at.isoformat()}
    get_redis().set(KEY, json.dumps(values), ex=FRESH_SECONDS)


def latest_fleet_counts() -> FleetCounts | None:
    """Return the latest snapshot; None when there is none younger than `FRESH_SECONDS` or Redis does not
    answer."""
    try:
        # redis-py types every answer as maybe awaitable, for its asyncio client too
        raw = cast("bytes | None", get_redis().get(KEY))
    except RedisError as error:
        logger.warning("Could not read the fleet counts: %s", error)
        return None
    if raw is None:
        return None
    values = json.loads(raw)
    counts = FleetCounts(**{**values, "counted_at": datetime.fromisoformat(values["counted_at"])})
    return counts if counts.age_seconds() <= FRESH_SECONDS else None
