"""Run the benchmarks and write their sections of bench/RESULTS.md: `python -m bench [--quick] [--only N]`."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from redis import Redis
from sqlalchemy import create_engine

from bench import environment, results
from harness.services import keep_dotenv_out

BENCHMARKS = (
    "bench.list_pages",
    "bench.client_overhead",
    "bench.jobs_resync",
    "bench.resync_cpu",
    "bench.jobs_provision",
    "bench.jobs_memory",
    "bench.fleet",
    "bench.dashboard_backlog",
    "bench.metrics_scrape",
    "bench.calls_pages",
    "bench.calls_backfill",
    "bench.callbacks_receiver",
)
"""Every benchmark module, run in this order; each has `run(quick: bool) -> list[results.Table]`."""


def short_name(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a quick pass: smaller scales, fewer repeats")
    parser.add_argument(
        "--only", metavar="NAME", choices=[short_name(m) for m in BENCHMARKS], help="run one benchmark"
    )
    arguments = parser.parse_args(argv)
    keep_dotenv_out()
    environment.ensure_database()
    engine = create_engine(environment.BENCH_DATABASE_URL)
    redis = Redis.from_url(environment.BENCH_REDIS_URL)
    facts: dict[str, dict[str, str]] = {}
    tables: dict[str, list[results.Table]] = {}
    for module in BENCHMARKS:
        name = short_name(module)
        if arguments.only and name != arguments.only:
            continue
        facts[name] = environment.describe(engine, redis)  # the load each section started under
        started = time.perf_counter()
        tables[name] = importlib.import_module(module).run(arguments.quick)
        for table in tables[name]:
            print(table.markdown(), flush=True)
        print(f"{name}: {time.perf_counter() - started:.0f} s\n", flush=True)
    engine.dispose()
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    results.write([short_name(module) for module in BENCHMARKS], facts, tables, command.strip())


if __name__ == "__main__":
    main()
