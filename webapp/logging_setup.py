"""Logging: a human line (the default) or one JSON object a line (`LOG_FORMAT=json`), ids in messages, and a
filter that masks secrets wherever they appear."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import Flask

from webapp import log_context

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

MASK = "[redacted]"


class SecretsFilter(logging.Filter):
    """Replaces configured secrets (auth token, secret key, metrics token) in a record's final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret and len(secret) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, MASK)
            record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the ids `log_context` knows (None when not
    known), and an exception's traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **log_context.log_ids(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def init_app(app: Flask) -> None:
    """Send logs to stderr at LOG_LEVEL in LOG_FORMAT, masking the app's secrets; return each request's id."""
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler()
        json_lines = app.config["LOG_FORMAT"] == "json"
        stderr.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
        root.addHandler(stderr)
    root.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, each start
    secrets_filter = SecretsFilter(
        [app.config["TWILIO_AUTH_TOKEN"], app.config["SECRET_KEY"], app.config["METRICS_TOKEN"]]
    )
    for handler in root.handlers:
        handler.filters = [f for f in handler.filters if not isinstance(f, SecretsFilter)]
        handler.addFilter(secrets_filter)
    log_context.init_app(app)
