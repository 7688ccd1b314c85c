"""The alert rules that come with Switchboard (`deploy/prometheus/alerts.yml`): well formed, each with a
summary, reading only metrics `/metrics` exports, and passing Prometheus' own `promtool check rules`
(Debian's `prometheus` package; CI installs it)."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.metrics.helpers import TOKEN, promtool, scrape
from webapp.config import PROJECT_ROOT

pytestmark = pytest.mark.once_in_ci  # reads files and one in-process scrape

RULES = PROJECT_ROOT / "deploy" / "prometheus" / "alerts.yml"
METRIC_NAME = re.compile(r"\bswitchboard_[a-z_]+")
SERIES_SUFFIXES = re.compile(r"_(?:bucket|count|sum)$")


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def exported_names(exposition: str) -> set[str]:
    """The metric families an exposition declares (`# TYPE name ...`)."""
    return {line.split()[2] for line in exposition.splitlines() if line.startswith("# TYPE ")}


def test_the_rules_cover_what_operations_asked_for_each_with_a_summary():
    names = {rule["alert"] for rule in rules()}

    assert {
        "SwitchboardQueueBackingUp",
        "SwitchboardOldestJobTooOld",
        "SwitchboardBreakerOpen",
        "SwitchboardTwilioThrottling",
        "SwitchboardDriftedNumbersRising",
        "SwitchboardNoLiveWorker",
    } <= names
    for rule in rules():
        assert rule["expr"].strip() and rule["for"] and rule["labels"]["severity"] in ("page", "warning")
        assert rule["annotations"]["summary"].endswith("."), rule["alert"]


def test_every_rule_reads_only_metrics_that_are_exported(make_app):
    exported = exported_names(scrape(make_app(METRICS_TOKEN=TOKEN).test_client()))

    for rule in rules():
        used = {SERIES_SUFFIXES.sub("", name) for name in METRIC_NAME.findall(rule["expr"])}
        assert used and used <= exported, (rule["alert"], used - exported)


def test_prometheus_itself_accepts_the_rules():
    checked = promtool("check", "rules", str(RULES))

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules())} rules found" in checked.stdout
