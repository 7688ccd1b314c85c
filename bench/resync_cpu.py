"""CPU per re-sync, ours ÷ the bare library's: what a re-sync's bookkeeping costs beside its Twilio request.

Wall-clock rates on a shared machine say more about the neighbours than about us; CPU seconds do not. One
run marks the numbers drifted, starts "Re-sync all drifted" (2 workers, `TWILIO_MAX_CONCURRENCY=25`, the
sandbox at 0 ms) and counts, until every number is in sync, the CPU seconds of:

- the workers with their work-horses and schedulers (psutil: each worker's own time, its reaped children's,
  and any child still alive);
- the PostgreSQL client backends serving the benchmark's database, other than this process's own (listed
  from `pg_stat_activity` every `SAMPLE_SECONDS` and read from /proc; a backend's last few milliseconds
  before it exits between two samples are missed);
- a Redis server of the benchmark's own (the shared one also serves other checkouts).

Beside each run, the bare twilio-python library updates the same numbers from 25 threads in this process
(`time.process_time`). The sandbox's CPU counts in neither. In a full run with py-spy on the PATH
(`pip install py-spy` in any environment), one more run is sampled (`py-spy record --subprocesses`,
workers and work-horses) and the functions most often on the CPU are listed.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text
from twilio.rest import Client

from bench.environment import BENCH_JOBS_DATABASE_URL
from bench.jobs_resync import mark_drifted, resync_seconds, start_resync_drifted
from bench.processes import VOICE_URL, JobServices, job_services, seed_numbers
from bench.results import Table
from bench.stats import median
from webapp.extensions import db
from webapp.jobs.enqueue.batches import RESYNC_BATCH_SIZE
from webapp.launcher import embedded_redis
from webapp.models import PhoneNumber
from webapp.twilio_client.configuration import WEBHOOK_METHOD

LIMIT = 25
"""`TWILIO_MAX_CONCURRENCY`, and the bare script's threads."""

WORKERS = 2
"""Workers re-syncing."""

SAMPLE_SECONDS = 0.05
"""How often the PostgreSQL backends' CPU is read."""

PROFILE_LINES = 10
"""Functions listed from the profile."""

LINE_NUMBER = re.compile(r":\d+\)$")
"""The line number py-spy puts after a frame's file: samples are counted per function."""


@dataclass(frozen=True)
class Plan:
    """Numbers per run, and runs."""

    numbers: int
    runs: int


QUICK = Plan(numbers=500, runs=1)
FULL = Plan(numbers=2_000, runs=3)


def cpu_seconds(process: psutil.Process, with_children: bool = True) -> float:
    """Return the CPU seconds `process` used, with its reaped and live descendants' when `with_children`."""
    try:
        times = process.cpu_times()
        total = times.user + times.system
        if with_children:
            total += times.children_user + times.children_system
            for child in process.children(recursive=True):
                total += cpu_seconds(child, with_children=False)
    except psutil.NoSuchProcess:
        return 0.0
    return total


class BackendSampler:
    """Reads the CPU of the database's client backends every `SAMPLE_SECONDS` while it runs."""

    def __init__(self) -> None:
        self.engine = create_engine(BENCH_JOBS_DATABASE_URL, pool_size=1)
        self.seen: dict[int, tuple[float, float]] = {}  # pid: (CPU at first sight, latest)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> BackendSampler:
        self._sample()  # backends alive before the run count from here
        self.seen = {pid: (latest, latest) for pid, (_, latest) in self.seen.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.engine.dispose()

    def cpu(self) -> float:
        """CPU seconds the backends used since the sampler started."""
        return sum(latest - first for first, latest in self.seen.values())

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self) -> None:
        ours = {c.laddr.port for c in psutil.Process().net_connections("tcp") if c.laddr}
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend'"
                )
            ).all()
        for pid, port in rows:
            if port in ours:
                continue
            try:
                used = cpu_seconds(psutil.Process(pid), with_children=False)
            except psutil.NoSuchProcess:
                continue
            first = self.seen.get(pid, (0.0, 0.0))[0]
            self.seen[pid] = (first, max(used, self.seen.get(pid, (0.0, 0.0))[1]))


def bare_cpu(services: JobServices, sids: list[str]) -> float:
    """Return the CPU seconds this process spends updating each of `sids` once with the bare library, 25
    threads, each with its own client."""
    chunks = [sids[offset::LIMIT] for offset in range(LIMIT)]

    def loop(chunk: list[str]) -> None:
        client = Client(services.sandbox.account_sid, services.sandbox.auth_token)
        client.api.base_url = services.sandbox.base_url
        for sid in chunk:
            client.incoming_phone_numbers(sid).update(
                voice_url=VOICE_URL, voice_method=WEBHOOK_METHOD, status_callback_method=WEBHOOK_METHOD
            )

    started = time.process_time()
    with ThreadPoolExecutor(max_workers=LIMIT) as pool:
        list(pool.map(loop, chunks))
    return time.process_time() - started


def resync_cpu(services: JobServices, redis_server: psutil.Process, number_ids: list) -> dict[str, float]:
    """Re-sync the numbers once; return the CPU seconds of the workers, PostgreSQL and Redis, and the wall
    seconds."""
    workers = [psutil.Process(worker.pid) for worker in services.workers]
    mark_drifted(number_ids)
    before_workers = sum(cpu_seconds(worker) for worker in workers)
    before_redis = cpu_seconds(redis_server, with_children=False)
    with BackendSampler() as backends:
        seconds = resync_seconds(len(number_ids), start_resync_drifted)
        time.sleep(0.5)  # the last job's work-horse ends and is reaped
    return {
        "workers": sum(cpu_seconds(worker) for worker in workers) - before_workers,
        "postgresql": backends.cpu(),
        "redis": cpu_seconds(redis_server, with_children=False) - before_redis,
        "seconds": seconds,
    }


def profile(services: JobServices, number_ids: list, output: Path) -> list[str]:
    """Re-sync the numbers under py-spy (every worker and its work-horses); return the top functions by
    samples on the CPU, as 'share · function (file:line)'."""
    spy = shutil.which("py-spy")
    if spy is None:
        return []
    mark_drifted(number_ids)
    recorders = [
        subprocess.Popen(
            [
                *(spy, "record", "--subprocesses", "--nonblocking", "--format", "raw", "--rate", "200"),
                *("--output", str(output.with_suffix(f".{worker.pid}.txt")), "--pid", str(worker.pid)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for worker in services.workers
    ]
    time.sleep(1.0)  # py-spy attaches
    resync_seconds(len(number_ids), start_resync_drifted)
    for recorder in recorders:
        recorder.send_signal(2)
        recorder.wait(30)
    return top_functions(output.parent.glob(f"{output.stem}.*.txt"))


def top_functions(files: Iterator[Path]) -> list[str]:
    """Return the functions most often on the CPU in py-spy's raw stacks: own samples (the frame on top)
    and total (anywhere in the stack), by total."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [
                LINE_NUMBER.sub(")", frame)
                for frame in stack.split(";")
                if not frame.startswith(("process ", "thread "))
            ]
            if not frames:
                continue
            samples += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                total[frame] += int(count)
    ranked = [frame for frame, _ in own.most_common(PROFILE_LINES)]
    return [
        f"{own[frame] / samples:.1%} own, {total[frame] / samples:.1%} total · `{frame}`" for frame in ranked
    ]


@contextmanager
def own_redis() -> Iterator[tuple[str, psutil.Process]]:
    """Start a Redis server for this benchmark alone; yield its URL and process."""
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as directory:
        socket_path = Path(directory) / "redis.sock"
        process = embedded_redis.start(socket_path)
        try:
            yield f"unix://{socket_path}", psutil.Process(process.pid)
        finally:
            embedded_redis.stop(process)


def run(quick: bool) -> list[Table]:
    """Run the mode's plan; return the table of CPU per re-sync and the profile."""
    plan = QUICK if quick else FULL
    runs: list[dict[str, float]] = []
    with (
        own_redis() as (redis_url, redis_server),
        job_services(redis_url=redis_url, TWILIO_MAX_CONCURRENCY=str(LIMIT)) as services,
    ):
        number_ids = seed_numbers(services, plan.numbers)
        sids = list(db.session.scalars(db.select(PhoneNumber.twilio_sid)))
        services.start_workers(WORKERS)
        try:
            for _ in range(plan.runs):
                measured = resync_cpu(services, redis_server, number_ids)
                measured["bare"] = bare_cpu(services, sids)
                runs.append(measured)
            lines = []
            if not quick:  # a quick pass has no time for another run
                with tempfile.TemporaryDirectory(prefix="bench-profile-") as directory:
                    lines = profile(services, number_ids, Path(directory) / "resync")
        finally:
            services.stop_workers()
    return [cpu_table(plan, runs)] + ([profile_table(plan, lines)] if not quick else [])


def cpu_table(plan: Plan, runs: list[dict[str, float]]) -> Table:
    """The CPU table: milliseconds per re-sync (medians of the runs) and ours ÷ bare, taken in each run."""

    def per_number(key: str) -> str:
        return f"{median([run[key] for run in runs]) / plan.numbers * 1000:.2f}"

    ours = [run["workers"] + run["postgresql"] + run["redis"] for run in runs]
    ratios = [total / run["bare"] for total, run in zip(ours, runs, strict=True)]
    return Table(
        title=f"CPU per re-sync, ours ÷ the bare library (sandbox at 0 ms, {WORKERS} workers)",
        method=(
            f'"Re-sync all drifted" over {plan.numbers:,} numbers (up to {RESYNC_BATCH_SIZE} to an RQ job), '
            f"`TWILIO_MAX_CONCURRENCY={LIMIT}`; median of {plan.runs} run(s). CPU of the workers with their "
            "work-horses, of the PostgreSQL client backends on the benchmark's database (sampled every "
            f"{SAMPLE_SECONDS * 1000:.0f} ms) and of a Redis server of the benchmark's own, per number. "
            f"Bare: twilio-python updating every number once from {LIMIT} threads in the benchmark's "
            "process, right after each run. The ratio is taken within each run. Target: at most 3 times "
            "(aim 2). Wall seconds are shown for scale only: the machine is shared."
        ),
        columns=[
            "Numbers",
            "Workers ms",
            "PostgreSQL ms",
            "Redis ms",
            "Ours ms",
            "Bare ms",
            "Ours ÷ bare",
            "Wall s",
        ],
        rows=[
            [
                f"{plan.numbers:,}",
                per_number("workers"),
                per_number("postgresql"),
                per_number("redis"),
                f"{median(ours) / plan.numbers * 1000:.2f}",
                per_number("bare"),
                f"{median(ratios):.2f}",
                f"{median([run['seconds'] for run in runs]):.1f}",
            ]
        ],
    )


def profile_table(plan: Plan, lines: list[str]) -> Table:
    """The profile's top functions, or a note that py-spy was not on the PATH."""
    return Table(
        title="Where a re-sync's CPU goes (py-spy, workers and work-horses)",
        method=(
            f"One more re-sync of {plan.numbers:,} numbers sampled by `py-spy record --subprocesses "
            "--nonblocking` at 200 Hz on each worker; threads waiting are not sampled. Own: samples with "
            "the function on top of the stack; total: anywhere in it."
            + ("" if lines else " py-spy was not on the PATH: no profile.")
        ),
        columns=["Share of samples · function"],
        rows=[[line] for line in lines],
    )
