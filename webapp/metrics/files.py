"""Which files a process writes its metrics to, in multi-process mode (any process).

prometheus-client names each process's files after its pid. RQ forks a work-horse per job, so that would
leave a few files per job, and every scrape reads every file: a thousand jobs made a scrape take a quarter
of a second (bench/RESULTS.md, "Scraping /metrics"). A worker runs one work-horse at a time, so its
work-horses can share one set of files, named `<worker pid>horse`: each horse picks up the counts its
predecessor left and adds to them. Every other process keeps its own pid. prometheus-client's own hook
for this is `MultiProcessValue(process_identifier)`; its rule, distinct names for processes running at
once, holds.
"""

from __future__ import annotations

import os

from prometheus_client import values

_work_horse_of: int | None = None
"""The pid of the worker whose work-horse this process is, or None."""


def process_identifier() -> str:
    """The name of this process's files: `<worker pid>horse` in a work-horse, else the pid."""
    return f"{_work_horse_of}horse" if _work_horse_of is not None else str(os.getpid())


def become_work_horse() -> None:
    """Write this work-horse's metrics to its worker's work-horse files (call first thing in the horse)."""
    global _work_horse_of
    _work_horse_of = os.getppid()


def use_shared_files() -> None:
    """In multi-process mode, name files by `process_identifier`; before any metric is counted."""
    if getattr(values.ValueClass, "_multiprocess", False):
        values.ValueClass = values.MultiProcessValue(process_identifier)
