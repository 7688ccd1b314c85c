"""The fleet gauges: counted by the recurring `fleet_gauges` job, shown by /metrics."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal

from tests.factories import make_business, make_number
from tests.metrics.helpers import TOKEN, scrape, value
from webapp.jobs.reads.idle_numbers import kept_idle_cost
from webapp.jobs.reads.number_costs import PRICES_KEY
from webapp.jobs.recurring import RECURRING, run_recurring
from webapp.jobs.running import runtime
from webapp.jobs.tasks.fleet_gauges import count_fleet
from webapp.models import BusinessStatus, EmergencyStatus, WebhookStatus
from webapp.models.base import utcnow


def test_the_fleet_count_sets_numbers_by_webhook_status_the_backlog_and_those_without_911_address(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    for status in (WebhookStatus.DRIFTED, WebhookStatus.DRIFTED, WebhookStatus.IN_SYNC):
        make_number(webhook_status=status)
    make_number(
        webhook_status=WebhookStatus.IN_SYNC, emergency_address_status=EmergencyStatus.REGISTERED.value
    )
    make_number(webhook_status=WebhookStatus.IN_SYNC, capabilities={"voice": False, "sms": True})
    for status in (BusinessStatus.ACTIVE, BusinessStatus.ACTIVE, BusinessStatus.CANCELLED):
        make_business(status=status)

    counted = count_fleet()

    text = scrape(client)
    expected = {"unknown": 0, "in_sync": 3, "drifted": 2, "error": 0}
    assert {
        status: value(text, "switchboard_numbers", webhook_status=status) for status in expected
    } == expected
    assert value(text, "switchboard_businesses_awaiting_number") == 2
    assert value(text, "switchboard_numbers_without_emergency_address") == 3  # voice, not registered
    assert counted == {**expected, "awaiting": 2, "without_emergency_address": 3, "idle": 0}
    assert value(text, "switchboard_fleet_counted_timestamp_seconds") > 0


def test_the_fleet_count_sets_the_idle_numbers_and_their_cost_and_keeps_them_for_the_dashboard(
    make_app, redis_client
):
    app = make_app(METRICS_TOKEN=TOKEN)
    redis_client.set(
        PRICES_KEY, json.dumps({"monthly": {"local": "1.15", "toll free": "2.15"}, "currency": "USD"})
    )
    old = utcnow() - timedelta(days=40)
    make_number(created_at=old)
    make_number(e164="+18005550123", created_at=old)
    make_number()  # too young to be idle

    count_fleet()

    text = scrape(app.test_client())
    assert value(text, "switchboard_idle_numbers") == 2
    assert value(text, "switchboard_idle_numbers_monthly_cost_dollars") == 3.30
    kept = kept_idle_cost()
    assert kept is not None and (kept.numbers, kept.cost.monthly) == (2, Decimal("3.30"))


def test_the_fleet_is_counted_by_a_recurring_job():
    [entry] = [entry for entry in RECURRING if entry.name == "fleet_gauges"]

    assert entry.function == f"{count_fleet.__module__}.{count_fleet.__name__}" and entry.interval <= 300


def test_a_recurring_run_notes_its_success(make_app, monkeypatch):
    app = make_app(METRICS_TOKEN=TOKEN)
    monkeypatch.setattr(runtime, "_app", None)  # restored after the test: no other test sees this app
    runtime.use_app(app)

    run_recurring("fleet_gauges")

    stamp = value(
        scrape(app.test_client()),
        "switchboard_recurring_job_last_success_timestamp_seconds",
        name="fleet_gauges",
    )
    assert abs(stamp - time.time()) < 60
