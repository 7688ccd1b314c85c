"""Medians, percentiles and the timing loop every benchmark uses."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], fraction: float) -> float:
    """Return the `fraction` percentile of `samples` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def time_calls(call: Callable[[], object], repeats: int, warmup: int = 2) -> list[float]:
    """Run `call` `warmup` times untimed, then `repeats` times; return each run's seconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def time_pairs(
    first: Callable[[], object], second: Callable[[], object], repeats: int, warmup: int = 2
) -> tuple[list[float], list[float]]:
    """Run `first` then `second`, `warmup` times untimed and `repeats` times timed; return each's seconds.

    Alternating the two exposes both to the same load, so their ratio holds when the machine is busy.
    """
    firsts: list[float] = []
    seconds: list[float] = []
    for round_number in range(warmup + repeats):
        for call, samples in ((first, firsts), (second, seconds)):
            started = time.perf_counter()
            call()
            if round_number >= warmup:
                samples.append(time.perf_counter() - started)
    return firsts, seconds


def median(samples: list[float]) -> float:
    return statistics.median(samples)
