"""Logging: one format, ids in messages, and a filter that masks secrets wherever they appear."""

from __future__ import annotations

import logging

from flask import Flask

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


def init_app(app: Flask) -> None:
    """Send logs to stderr at LOG_LEVEL, masking the app's secrets."""
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(stderr)
    root.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, each start
    secrets_filter = SecretsFilter(
        [app.config["TWILIO_AUTH_TOKEN"], app.config["SECRET_KEY"], app.config["METRICS_TOKEN"]]
    )
    for handler in root.handlers:
        handler.filters = [f for f in handler.filters if not isinstance(f, SecretsFilter)]
        handler.addFilter(secrets_filter)
