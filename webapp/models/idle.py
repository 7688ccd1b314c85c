"""Idle numbers, in one query that the Idle numbers page, `numbers idle`, the dashboard and the fleet gauges
share: a number older than `IDLE_MIN_AGE_DAYS` is at risk of reclaim when it had fewer than
`RECLAIM_LONG_CALLS` completed calls of 12 s or more (`call_day.LONG_CALL_SECONDS`) in the last `IDLE_DAYS`,
and idle when it had none (Twilio's published rule of thumb for an active number)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Date, bindparam, func, select
from sqlalchemy.orm import joinedload, with_expression
from sqlalchemy.sql.base import ExecutableOption

from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.models.call_day import CallDay, window_start, with_recent_calls
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

    def long_calls(self) -> ColumnElement[int]:
        """Each number's completed calls of 12 s or more in the window, as a correlated scalar subquery."""
        since = bindparam(
            "idle_since", callable_=lambda: window_start(self.idle_days), type_=Date, unique=True
        )
        return (
            select(func.coalesce(func.sum(CallDay.long_calls), 0))
            .where(CallDay.phone_number_id == PhoneNumber.id, CallDay.day >= since)
            .scalar_subquery()
        )

    def old_enough(self) -> ColumnElement[bool]:
        """The numbers kept longer than the minimum age."""
        return PhoneNumber.created_at <= utcnow() - timedelta(days=self.min_age_days)

    def at_risk(self) -> ColumnElement[bool]:
        """The numbers at risk of reclaim (the idle ones among them)."""
        return self.old_enough() & (self.long_calls() < RECLAIM_LONG_CALLS)

    def idle(self) -> ColumnElement[bool]:
        """The idle numbers: old enough, and not one long call in the window."""
        return self.old_enough() & (self.long_calls() == 0)

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
