"""Switchboard: the console support staff use to manage businesses' Twilio numbers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from webapp.config import (
    DEBUG_KEY_WARNING,
    DEFAULT_SECRET_KEY,
    PROJECT_ROOT,
    SettingsError,
    check_secret_key,
    load_settings,
    persistent_secret_key,
)

logger = logging.getLogger(__name__)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `overrides` (a dict of settings) winning.

    Raises:
        SettingsError: a setting is malformed, or SECRET_KEY is unset or short in production.
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
    warn_of_debug_in_production(app, key_given=settings["SECRET_KEY"] != DEFAULT_SECRET_KEY)
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
    """Use the local key file when SECRET_KEY is unset locally; in production refuse it unset or short.
    Harden the cookie, send security headers and trust the configured proxies.

    Locally (debug, or the embedded defaults: neither DATABASE_URL nor REDIS_URL set) every process shares
    the key `make run` keeps in `instance/secret_key`; tests may keep the default key.
    """
    from webapp import security_headers

    production = not (app.testing or app.debug or app.config["EMBEDDED_DEFAULTS"])
    if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY and not app.testing:
        if production:
            raise SettingsError("SECRET_KEY is unset: set it to a long random string (see env.example).")
        app.config["SECRET_KEY"] = persistent_secret_key(Path(app.instance_path))
    elif production:
        check_secret_key(app.config["SECRET_KEY"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"] and not app.debug,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    security_headers.init_app(app)
    trust_proxies(app)


def trust_proxies(app: Flask) -> None:
    """Believe the client address, scheme, host, port and prefix that the last `TRUSTED_PROXIES` proxies
    forward (Werkzeug's `ProxyFix`); with none (the default) no forwarded header is believed."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    count = app.config["TRUSTED_PROXIES"]
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )


def warn_of_debug_in_production(app: Flask, key_given: bool) -> None:
    """Say in one line when debug made a production-like setup (DATABASE_URL or REDIS_URL set) take the
    local key file and drop the cookie's Secure flag."""
    if app.debug and not (key_given or app.testing or app.config["EMBEDDED_DEFAULTS"]):
        logger.warning(DEBUG_KEY_WARNING)


def configure_logging(app: Flask) -> None:
    """Log at LOG_LEVEL with the secrets filter on every handler."""
    from webapp import logging_setup

    logging_setup.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, the body checks, CSRF, sign-in and Redis to the app."""
    from webapp import auth, redis_connection, request_checks
    from webapp.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    request_checks.init_app(app)  # before CSRF, which reads the form's field names
    csrf.init_app(app)
    auth.init_app(app)
    redis_connection.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount sign-in, the console, /healthz and the Twilio status-callback receiver."""
    from webapp import admin, auth, callbacks, health

    app.register_blueprint(auth.bp)
    admin.init_app(app)
    health.init_app(app)
    callbacks.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Render plain error pages; tracebacks go to the log only."""
    from webapp import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    """Add the `users` and `seed-demo` commands."""
    from webapp.cli import init_app as init_cli

    init_cli(app)
