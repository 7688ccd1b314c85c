"""Worker memory: the resident size of one worker's main process after many jobs.

One worker runs single-number re-sync jobs (`enqueue_resync`, one RQ job and one forked work-horse each, the
console's most common job) against the sandbox at 0 ms. Jobs are enqueued in waves; at each checkpoint the
queue is empty and the worker idle, and its RSS is read (psutil) five times 0.1 s apart (median). The
work-horses and the scheduler process are not counted. Target: growth from the first to the second
checkpoint under 20%.
"""

from __future__ import annotations

import time

import psutil

from bench.processes import JobServices, job_services, seed_numbers
from bench.results import Table
from bench.stats import median
from harness.waits import wait_until
from webapp.extensions import db
from webapp.jobs.enqueue.kinds import enqueue_resync
from webapp.models import PhoneNumber

TARGET_GROWTH = 0.20
"""Largest RSS growth allowed between the checkpoints."""

WAVE = 500
"""Jobs enqueued at a time (one per number: a number has at most one re-sync in flight)."""


def rss_mib(pid: int) -> float:
    """Return the median of five readings of the process's resident size, in MiB."""
    readings = []
    for _ in range(5):
        readings.append(psutil.Process(pid).memory_info().rss / 2**20)
        time.sleep(0.1)
    return median(readings)


def wait_for_jobs(services: JobServices, worker_name: str, jobs: int) -> None:
    """Wait until the worker has finished `jobs` jobs in all."""
    wait_until(
        lambda: services.worker_job_counts().get(worker_name, 0) >= jobs, 600, f"{jobs} jobs done", poll=0.1
    )


def run(quick: bool) -> list[Table]:
    """Run the mode's jobs through one worker; return the table of RSS at each checkpoint."""
    checkpoints = (30, 90) if quick else (1000, 10_000)
    wave = min(WAVE, checkpoints[0])
    with job_services() as services:
        seed_numbers(services, wave)
        numbers = list(db.session.scalars(db.select(PhoneNumber)))
        [worker] = services.start_workers(1)
        started_rss = rss_mib(worker.pid)
        readings: list[tuple[int, float]] = []
        done = 0
        started = time.perf_counter()
        for checkpoint in checkpoints:
            while done < checkpoint:
                for number in numbers[: min(wave, checkpoint - done)]:
                    enqueue_resync(number, None)
                done += min(wave, checkpoint - done)
                wait_for_jobs(services, worker.name, done)
            readings.append((checkpoint, rss_mib(worker.pid)))
        seconds = time.perf_counter() - started
    (first, first_rss), (second, second_rss) = readings
    growth = second_rss / first_rss - 1
    return [
        Table(
            title="Worker memory (RSS of the worker's main process)",
            method=(
                f"{'Quick' if quick else 'Full'} run: one worker, {second:,} single-number re-sync jobs "
                f"({seconds:.0f} s), sandbox at 0 ms; RSS read with the queue empty (median of 5 readings). "
                f"At start: {started_rss:.1f} MiB. Growth = RSS after {second:,} / after {first:,} - 1; "
                f"target < {TARGET_GROWTH:.0%}."
            ),
            columns=[f"after {first:,} jobs (MiB)", f"after {second:,} jobs (MiB)", "growth", "target met"],
            rows=[
                [
                    f"{first_rss:.1f}",
                    f"{second_rss:.1f}",
                    f"{growth:+.1%}",
                    "yes" if growth < TARGET_GROWTH else "no",
                ]
            ],
        )
    ]
