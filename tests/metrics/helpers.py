"""Reading an exposition in tests: a sample's value, and label values that must never appear."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.services import unavailable

TOKEN = "metrics-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}

FORBIDDEN_LABEL_VALUES = re.compile(
    r"\+\d{8,15}|\b(?:PN|AC|CA|NO)[0-9a-f]{32}\b|@|\b[0-9a-f]{8}-[0-9a-f]{4}-"
)
"""A phone number in E.164, a Twilio SID, an e-mail address or a UUID (a business or Activity id)."""


def scrape(client: Any) -> str:
    """The exposition a Flask test client gets with the token (the app must have METRICS_TOKEN=TOKEN)."""
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def value(exposition: str, metric: str, /, **labels: str) -> float:
    """The sum of the samples named `metric` whose labels include `labels` (0 when there is none)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == metric and all(sample.labels.get(key) == wanted for key, wanted in labels.items())
    )


def label_values(exposition: str) -> list[str]:
    """Every label value in the exposition."""
    return [
        label
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        for label in sample.labels.values()
    ]


def identifying_labels(exposition: str) -> list[str]:
    """Label values that carry a number, a SID, an e-mail address or an id: there must be none."""
    return [label for label in label_values(exposition) if FORBIDDEN_LABEL_VALUES.search(label)]


def promtool(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run Prometheus' own `promtool` (Debian's `prometheus`); a missing one skips, or fails under CI."""
    path = shutil.which("promtool")
    if path is None:
        unavailable("promtool is missing: apt-get install prometheus")
    return subprocess.run([path, *arguments], input=stdin, capture_output=True, text=True, timeout=60)
