"""Where the test suite and the benchmarks find their services: what they read from the environment.

Under pytest-xdist each test process (`gw0`, `gw1`, ...) gets services of its own, derived from the
configured ones, so that tests running side by side never share a database or a Redis db:
`TEST_DATABASE_URL`'s database with `_gw<n>` appended (created when missing, see tests/conftest.py), and
`TEST_REDIS_URL`'s db number minus n (modulo Redis's 16 dbs: db 15 gives 15, 14, 13, ...). Without
them, each test process starts its own embedded Redis and uses SQLite files of its own anyway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.engine import make_url

from webapp.config import PROJECT_ROOT, env_value, parse_flag

REDIS_DBS = 16
"""How many numbered dbs a Redis server has by default."""


def services_for_tests() -> dict[str, Any]:
    """Return `TEST_DATABASE_URL`, `TEST_REDIS_URL` (None when unset; this test process's own under
    pytest-xdist), `CI` (a bool) and the path of Twilio's OpenAPI spec (`TWILIO_OPENAPI_SPEC`, by default
    the shared copy beside the project)."""
    database_url, redis_url = env_value("TEST_DATABASE_URL"), env_value("TEST_REDIS_URL")
    if (index := test_process_index()) is not None:
        database_url = database_url and database_for_process(database_url, index)
        redis_url = redis_url and redis_for_process(redis_url, index)
    return {
        "TEST_DATABASE_URL": database_url,
        "TEST_REDIS_URL": redis_url,
        "CI": parse_flag(env_value("CI"), False),
        "TWILIO_OPENAPI_SPEC": env_value("TWILIO_OPENAPI_SPEC")
        or str(PROJECT_ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.json"),
    }


def test_process_index() -> int | None:
    """This pytest-xdist process's number (`gw3` is 3), or None outside pytest-xdist."""
    name = env_value("PYTEST_XDIST_WORKER")
    return int(name.removeprefix("gw")) if name else None


def database_for_process(url: str, index: int) -> str:
    """The database URL of test process `index`: a PostgreSQL database of its own; SQLite as it is."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(database=f"{parsed.database}_gw{index}").render_as_string(hide_password=False)


def redis_for_process(url: str, index: int) -> str:
    """The Redis URL of test process `index`: the configured db number (the path of `redis://host/15`,
    `?db=` of a unix socket) minus `index`, modulo 16."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "unix":
        query["db"] = str((int(query.get("db", 0)) - index) % REDIS_DBS)
        return f"unix://{parts.path}?{urlencode(query)}"
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number - index) % REDIS_DBS}"))
