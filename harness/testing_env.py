"""Where the test suite and the benchmarks find their services: what they read from the environment."""

from __future__ import annotations

from typing import Any

from webapp.config import PROJECT_ROOT, env_value, parse_flag


def services_for_tests() -> dict[str, Any]:
    """Return `TEST_DATABASE_URL`, `TEST_REDIS_URL` (None when unset), `CI` (a bool) and the path of Twilio's
    OpenAPI spec (`TWILIO_OPENAPI_SPEC`, by default the shared copy beside the project)."""
    return {
        "TEST_DATABASE_URL": env_value("TEST_DATABASE_URL"),
        "TEST_REDIS_URL": env_value("TEST_REDIS_URL"),
        "CI": parse_flag(env_value("CI"), False),
        "TWILIO_OPENAPI_SPEC": env_value("TWILIO_OPENAPI_SPEC")
        or str(PROJECT_ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.json"),
    }
