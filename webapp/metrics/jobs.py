"""Job metrics, in the worker process (work-horses included): each Activity's outcome by kind, and how long
it took from its first attempt's start to its end."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter(
    "switchboard_jobs_total",
    "Job attempts that ended, by kind (provision, release, ...) and outcome (succeeded, failed, retrying).",
    ["kind", "outcome"],
)
DURATION = Histogram(
    "switchboard_job_duration_seconds",
    "Seconds from a job's first attempt to its end (retries included), by kind and outcome.",
    ["kind", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
RECURRING_SUCCESS = Gauge(
    "switchboard_recurring_job_last_success_timestamp_seconds",
    "When each recurring job last succeeded (Unix time).",
    ["name"],
    multiprocess_mode="mostrecent",
)


def job_ended(kind: str, outcome: str, seconds: float | None = None) -> None:
    """Count a job attempt's `outcome`; with `seconds`, observe how long the job took."""
    JOBS.labels(kind, outcome).inc()
    if seconds is not None:
        DURATION.labels(kind, outcome).observe(seconds)


def recurring_succeeded(name: str) -> None:
    """Note that the recurring job `name` succeeded now."""
    RECURRING_SUCCESS.labels(name).set_to_current_time()
