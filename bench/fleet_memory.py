"""Worker memory over a fleet's worth of re-syncs: the resident size of each worker's main process after
rounds of "Re-sync all drifted" over every seeded number, batched as the console runs them (a part of
`bench.fleet`, against the sandbox at its 100 ms)."""

from __future__ import annotations

import time
import uuid

from bench.jobs_memory import TARGET_GROWTH, rss_mib
from bench.jobs_resync import mark_drifted, resync_seconds, start_resync_drifted
from bench.processes import JobServices
from bench.results import Table


def resync_memory(services: JobServices, number_ids: list[uuid.UUID], rounds: int, workers: int) -> Table:
    """Re-sync every number `rounds` times with `workers` workers; return their RSS after the first round
    and after the last."""
    started_workers = services.start_workers(workers)
    try:
        readings: list[list[float]] = []
        started = time.perf_counter()
        for done in range(1, rounds + 1):
            mark_drifted(number_ids)
            resync_seconds(len(number_ids), start_resync_drifted)
            if done in (1, rounds):
                readings.append([rss_mib(worker.pid) for worker in started_workers])
        seconds = time.perf_counter() - started
    finally:
        services.stop_workers()
    first, last = readings
    growth = max(after / before - 1 for before, after in zip(first, last, strict=True))
    total = rounds * len(number_ids)
    return Table(
        title="Worker memory over many re-syncs (RSS of each worker's main process)",
        method=(
            f'{rounds} rounds of "Re-sync all drifted" over {len(number_ids):,} numbers ({total:,} '
            f"re-syncs, {seconds:.0f} s), {workers} workers, batches sent side by side under the shared "
            "limit; RSS read after a round, with the queue empty (median of 5 readings each). Each batch's "
            "work-horse is forked and ends with its job, so the main process is what lives on. Growth: the "
            f"larger of the workers' RSS after the last round ÷ after the first - 1; target < "
            f"{TARGET_GROWTH:.0%}."
        ),
        columns=[
            "Re-syncs",
            "After the first round (MiB)",
            "After the last round (MiB)",
            "Growth",
            "Target met",
        ],
        rows=[
            [
                f"{total:,}",
                " / ".join(f"{mib:.1f}" for mib in first),
                " / ".join(f"{mib:.1f}" for mib in last),
                f"{growth:+.1%}",
                "yes" if growth < TARGET_GROWTH else "no",
            ]
        ],
    )
