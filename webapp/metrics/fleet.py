"""Fleet gauges, set in the worker process by the recurring `fleet_gauges` job (`webapp/jobs/tasks/`)
rather than counted at each scrape: counting a million rows per scrape would make scraping the costly part.

The latest value set in any process wins (`mostrecent`), so a scrape shows the last run's counts.
"""

from __future__ import annotations

from collections.abc import Mapping

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
COUNTED_AT = Gauge(
    "switchboard_fleet_counted_timestamp_seconds",
    "When the fleet gauges were last counted (Unix time).",
    multiprocess_mode="mostrecent",
)


def record_fleet(
    numbers_by_webhook_status: Mapping[str, int], awaiting_number: int, without_emergency_address: int
) -> None:
    """Set the fleet gauges from a count (every webhook status, those with no number at 0)."""
    for status, count in numbers_by_webhook_status.items():
        NUMBERS.labels(status).set(count)
    AWAITING.set(awaiting_number)
    WITHOUT_EMERGENCY_ADDRESS.set(without_emergency_address)
    COUNTED_AT.set_to_current_time()
