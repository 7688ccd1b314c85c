"""Fleet gauges, set in the worker process by the recurring `fleet_gauges` job (`webapp/jobs/tasks/`)
rather than counted at each scrape: counting a million rows per scrape would make scraping the costly part.

The latest value set in any process wins (`mostrecent`), so a scrape shows the last run's counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from prometheus_client import Gauge

NUMBERS = Gauge(
    "switchboard_numbers",
    "Phone numbers Switchboard records, by webhook status (in_sync, drifted, ...), at the last fleet count.",
    ["webhook_status"],
    multiprocess_mode="mostrecent",
)
AWAITING = Gauge(
    "switchboard_businesses_awaiting_number",
    "Active businesses without a number (the provisioning backlog), as of the last fleet count.",
    multiprocess_mode="mostrecent",
)
WITHOUT_EMERGENCY_ADDRESS = Gauge(
    "switchboard_numbers_without_emergency_address",
    "Voice numbers without a registered emergency address (a 911 call reaches no local dispatcher), as of "
    "the last fleet count.",
    multiprocess_mode="mostrecent",
)
IDLE_NUMBERS = Gauge(
    "switchboard_idle_numbers",
    "Numbers older than IDLE_MIN_AGE_DAYS without a completed call of 12 s or more in IDLE_DAYS.",
    multiprocess_mode="mostrecent",
)
IDLE_MONTHLY_COST = Gauge(
    "switchboard_idle_numbers_monthly_cost_dollars",
    "What the idle numbers cost a month at Twilio's prices (US dollars; NaN while the prices are unknown).",
    multiprocess_mode="mostrecent",
)
COUNTED_AT = Gauge(
    "switchboard_fleet_counted_timestamp_seconds",
    "When the fleet gauges were last counted (Unix time).",
    multiprocess_mode="mostrecent",
)


def record_fleet(
    numbers_by_webhook_status: Mapping[str, int],
    awaiting_number: int,
    without_emergency_address: int,
    idle_numbers: int,
    idle_monthly_cost: Decimal | None,
) -> None:
    """Set the fleet gauges from a count (every webhook status, those with no number at 0)."""
    for status, count in numbers_by_webhook_status.items():
        NUMBERS.labels(status).set(count)
    AWAITING.set(awaiting_number)
    WITHOUT_EMERGENCY_ADDRESS.set(without_emergency_address)
    IDLE_NUMBERS.set(idle_numbers)
    IDLE_MONTHLY_COST.set(math.nan if idle_monthly_cost is None else float(idle_monthly_cost))
    COUNTED_AT.set_to_current_time()
