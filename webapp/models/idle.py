"""Idle numbers, in one query that the Idle numbers page, `numbers idle`, the dashboard and the fleet gauges
share: a number older than `IDLE_MIN_AGE_DAYS` is at risk of reclaim when it had fewer than
`RECLAIM_LONG_CALLS` completed calls of 12 s or more (`call_day.LONG_CALL_SECONDS`) in the last `IDLE_DAYS`,
and idle when it had none (Twilio's published rule of thumb for an active number).

The rule reads each number's three latest long calls kept on its row (`long_call`), never its daily
totals: idle is "latest long call before the window", at risk "third-latest before the window", each an
indexed column, so the page and the count cost what the matching numbers cost, not the fleet. The window
starts at midnight (UTC) of its first day, as the daily totals count a call on the day it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, bindparam, case, or_
from sqlalchemy.orm import joinedload, with_expression
from sqlalchemy.sql.base import ExecutableOption

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.call_day import window_start, with_recent_calls
from webapp.models.long_call import LATEST_LONG_CALLS
from webapp.models.phone_number import PhoneNumber

RECLAIM_LONG_CALLS = 3
"""Fewer long calls than this in `IDLE_DAYS` puts a number at risk of reclaim."""


@dataclass(frozen=True)
class IdleRule:
    """How long a number must be kept before it can be idle, and the window its calls are counted in."""

    idle_days: int
    min_age_days: int

    @classmethod
    def configured(cls) -> IdleRule:
        """The rule the settings `IDLE_DAYS` and `IDLE_MIN_AGE_DAYS` give."""
        config = current_app.config
        return cls(config["IDLE_DAYS"], config["IDLE_MIN_AGE_DAYS"])

    def window_start(self) -> datetime:
        """When the window begins: midnight (UTC) of its first day."""
        return datetime.combine(window_start(self.idle_days), time(), UTC)

    def since(self) -> ColumnElement[datetime]:
        """The window's start as a parameter computed when the statement runs."""
        return bindparam("idle_since", callable_=self.window_start, type_=UTCDateTime, unique=True)

    def long_calls(self) -> ColumnElement[int]:
        """Each number's long calls in the window, counted up to three from its kept latest ones."""
        since = self.since()
        first, second, third = (case((at >= since, 1), else_=0) for at in LATEST_LONG_CALLS)
        return first + second + third

    def before_window(self, at: Any) -> ColumnElement[bool]:
        """The numbers whose kept time `at` is missing or before the window (one index, two ranges)."""
        return or_(at.is_(None), at < self.since())

    def old_enough(self) -> ColumnElement[bool]:
        """The numbers kept longer than the minimum age."""
        return PhoneNumber.created_at <= utcnow() - timedelta(days=self.min_age_days)

    def at_risk(self) -> ColumnElement[bool]:
        """The numbers at risk of reclaim (the idle ones among them): the third-latest long call, if any,
        is before the window."""
        return self.old_enough() & self.before_window(PhoneNumber.third_long_call_at)

    def idle(self) -> ColumnElement[bool]:
        """The idle numbers: old enough, and the latest long call, if any, before the window."""
        return self.old_enough() & self.before_window(PhoneNumber.last_long_call_at)

    def loader_options(self) -> list[ExecutableOption]:
        """What a row of the idle list shows beside the number: its business, calls and long calls."""
        return [
            joinedload(PhoneNumber.business),
            with_recent_calls(),
            with_expression(PhoneNumber.long_calls, self.long_calls()),
        ]


def at_risk_numbers(rule: IdleRule) -> Any:
    """The numbers at risk of reclaim with what the idle list shows, unordered (a legacy Query, as
    Flask-Admin's list takes one)."""
    return db.session.query(PhoneNumber).filter(rule.at_risk()).options(*rule.loader_options())
