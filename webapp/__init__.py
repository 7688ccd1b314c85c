"""Switchboard: the console support staff use to manage businesses' Twilio numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from webapp.config import (
    DEFAULT_SECRET_KEY,
    PROJECT_ROOT,
    SettingsError,
    load_settings,
    persistent_secret_key,
)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `overrides` (a dict of settings) winning.

    Raises:
        SettingsError: a setting is malformed, or the default SECRET_KEY is used in production.
    """
    settings = load_settings(overrides)
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings)
    register_metrics(app)
    configure_security(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_metrics(app: Flask) -> None:
    """Time every request (first, so that the timer covers every other hook) and mount `/metrics`."""
    from webapp import metrics

    metrics.init_app(app)


def configure_security(app: Flask) -> None:
    """Use the local key file when SECRET_KEY is unset locally, refuse that in production; harden the cookie
    and send security headers.

    Locally (debug, or the embedded defaults: neither DATABASE_URL nor REDIS_URL set) every process shares
    the key `make run` keeps in `instance/secret_key`; tests may keep the default key.
    """
    from webapp import security_headers

    if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY and not app.testing:
        if not (app.debug or app.config["EMBEDDED_DEFAULTS"]):
            raise SettingsError("SECRET_KEY is unset: set it to a long random string (see env.example).")
        app.config["SECRET_KEY"] = persistent_secret_key(Path(app.instance_path))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"] and not app.debug,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    security_headers.init_app(app)


def configure_logging(app: Flask) -> None:
    """Log at LOG_LEVEL with the secrets filter on every handler."""
    from webapp import logging_setup

    logging_setup.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF, sign-in and Redis to the app."""
    from webapp import auth, redis_connection
    from webapp.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    auth.init_app(app)
    redis_connection.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount sign-in, the console and /healthz."""
    from webapp import admin, auth, health

    app.register_blueprint(auth.bp)
    admin.init_app(app)
    health.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Render plain error pages; tracebacks go to the log only."""
    from webapp import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    """Add the `users` and `seed-demo` commands."""
    from webapp.cli import init_app as init_cli

    init_cli(app)
