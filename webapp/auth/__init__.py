"""Who may use the console, in the web process: sign-in and sign-out (`sign_in`), sessions that end when
they should (`sessions`), the sign-in throttle (`throttle`) and the access log (`access_log`)."""

from webapp.auth.sign_in import bp, init_app

__all__ = ["bp", "init_app"]
