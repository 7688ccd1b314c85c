"""Timing a page: the request and its floor SQL alternately, with the app's statements counted and timed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

from bench.list_pages.pages import Page
from bench.list_pages.views import VARIANTS
from bench.stats import median, percentile, time_pairs


@dataclass
class Measured:
    """One page at one scale in one variant."""

    samples: list[float]
    sql: list[float]
    statements: int
    floor: list[float]

    @property
    def p50_ms(self) -> float:
        return median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 0.95) * 1000

    @property
    def floor_ms(self) -> float:
        return median(self.floor) * 1000

    @property
    def floor_ratio(self) -> float:
        return self.p50_ms / self.floor_ms


class StatementClock:
    """Counts the app's SQL statements and the time spent in them, per request."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0
        self.seconds = 0.0
        self._started: list[float] = []

    def before(self, *args: Any) -> None:
        self.statements += 1
        self._started.append(time.perf_counter())

    def after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._started.pop()

    def reset(self) -> None:
        self.statements, self.seconds = 0, 0.0

    @contextmanager
    def listening(self) -> Iterator[StatementClock]:
        event.listen(self.engine, "before_cursor_execute", self.before)
        event.listen(self.engine, "after_cursor_execute", self.after)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self.before)
            event.remove(self.engine, "after_cursor_execute", self.after)


def measure(client: FlaskClient, clock: StatementClock, url: str, floor_sql: str, repeats: int) -> Measured:
    """Time `url` and its floor SQL alternately, `repeats` times each after a warm-up."""
    sql: list[float] = []
    statements: list[int] = []

    def request() -> None:
        clock.reset()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        sql.append(clock.seconds)
        statements.append(clock.statements)

    def floor() -> None:
        with clock.engine.connect() as connection:
            for statement in floor_sql.split("; "):
                connection.execute(text(statement)).all()

    samples, floors = time_pairs(request, floor, repeats)
    return Measured(samples, sql[-repeats:], round(median(statements)), floors)


def measure_variant(
    client: FlaskClient, clock: StatementClock, variant: str, page_list: list[Page], scale: int, repeats: int
) -> dict[str, Measured]:
    results = {}
    for page in page_list:
        url = VARIANTS[variant] + page.path(scale)
        results[page.name] = measure(client, clock, url, page.floor(scale), repeats)
        print(f"  {scale:>9,} {variant:6} {page.name}: p50 {results[page.name].p50_ms:.1f} ms", flush=True)
    return results
