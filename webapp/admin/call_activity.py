"""What a number's page, its business's page and its Health panel show of its reported calls: calls per day
over 30 days and the last 20 calls (`templates/admin/call_activity.html`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from webapp.models.call_day import CallDay, calls_per_day
from webapp.models.call_event import CallEvent, latest_calls

LATEST_SHOWN = 20
"""How many of a number's latest calls are listed."""


@dataclass(frozen=True)
class CallActivity:
    """A number's calls per day (oldest first) and its latest calls, with the chart's figures."""

    number_id: uuid.UUID
    days: list[CallDay]
    latest: list[CallEvent]
    shown: int = LATEST_SHOWN

    @property
    def total(self) -> int:
        """Calls over the days shown."""
        return sum(day.calls for day in self.days)

    @property
    def completed(self) -> int:
        """Completed calls over the days shown."""
        return sum(day.completed for day in self.days)

    @property
    def talk_seconds(self) -> int:
        """Talk time over the days shown, in seconds."""
        return sum(day.talk_seconds for day in self.days)

    @property
    def busiest(self) -> int:
        """The most calls on one day (the chart's full height)."""
        return max((day.calls for day in self.days), default=0)

    @property
    def busiest_day(self) -> date | None:
        """The first day with the most calls, or None without calls."""
        return max(self.days, key=lambda day: day.calls).day if self.total else None


def call_activity(number_id: uuid.UUID) -> CallActivity:
    """Read the number's calls per day and latest calls (two indexed reads)."""
    return CallActivity(number_id, calls_per_day(number_id), latest_calls(number_id, LATEST_SHOWN))
