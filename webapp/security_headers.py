"""Security headers on every page (the answers of a stateless route, `webapp.stateless`, are not pages and
get only `no-store` and `nosniff`): a Content-Security-Policy without inline script, no framing, no
sniffing, same-origin referrers, `Cache-Control: no-store` on everything but static files (a shared
computer's browser keeps no console page or export for the back button after sign-out), and HSTS when the
site is served over HTTPS (`PREFERRED_URL_SCHEME`).

Scripts come only from this site. The console's pages have no inline script or handler (Flask-Admin's
few are replaced by `templates/admin/...` overrides and `static/console.js`); rq-dashboard's one inline
script carries the response's nonce (`templates/rq_dashboard/base.html`). rq-dashboard renders its
tables with underscore's `_.template`, which compiles with `new Function`, so its pages alone also allow
'unsafe-eval'. Styles allow 'unsafe-inline': Flask-Admin's and rq-dashboard's widgets (select2, the date
pickers, progress bars) write `style` attributes, and a style cannot run code.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from webapp.stateless import is_stateless

HSTS_SECONDS = 365 * 24 * 3600
RQ_DASHBOARD_BLUEPRINT = "rq_dashboard"
NONCE_KEY = "switchboard.csp_nonce"
"""Where the request keeps its nonce (the request, not `g`: one nonce per response)."""


def csp_nonce() -> str:
    """This response's nonce, made on first use (templates call it as `csp_nonce()`)."""
    return request.environ.setdefault(NONCE_KEY, secrets.token_urlsafe(16))


def content_security_policy() -> str:
    """The policy for this request's page."""
    scripts = f"'self' 'nonce-{csp_nonce()}'"
    if request.blueprint == RQ_DASHBOARD_BLUEPRINT:
        scripts += " 'unsafe-eval'"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def is_static_file() -> bool:
    """Whether this request asks for a static file (the site's, Flask-Admin's or rq-dashboard's)."""
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def add_security_headers(response: Response) -> Response:
    """Add the security headers to `response`; a stateless route's answers are not pages, and only forbid
    caching and sniffing."""
    if is_stateless():
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    if not is_static_file():
        response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if current_app.config["PREFERRED_URL_SCHEME"] == "https":
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    """Send the headers on every response and offer `csp_nonce()` to templates."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)
