"""What Twilio tells us, in the web process: `POST /twilio/call-status` (`receiver`), the one route open
without sign-in or CSRF token, because Twilio's signature stands for both."""

from webapp.callbacks.receiver import bp, init_app

__all__ = ["bp", "init_app"]
