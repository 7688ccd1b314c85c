"""Sign-in and sign-out, and the user loader."""

from __future__ import annotations

import logging
from typing import TypeGuard
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from webapp.auth import access_log, sessions, throttle
from webapp.auth.access_log import record_access
from webapp.extensions import db, login_manager
from webapp.models import AccessEventKind, User
from webapp.models.base import utcnow
from webapp.models.user import DEMO_ADMIN_EMAIL, normalise_email, password_matches

logger = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Wrong e-mail or password."
"""The one message for every failed sign-in, so it does not tell which part was wrong."""


FORM_ENCODINGS = ("application/x-www-form-urlencoded", "multipart/form-data")
"""How the sign-in page's form is sent; anything else (JSON above all) is refused with 415."""


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def sign_in_form() -> LoginForm:
    """The sign-in form, read from the posted form fields only: the throttle keys on the same fields.

    Flask-WTF would otherwise also read files and JSON bodies, which the throttle never sees.
    """
    return LoginForm(formdata=request.form if request.method == "POST" else None)


def refuse_odd_request() -> None:
    """Refuse, before anything is checked or recorded, what the sign-in page never sends.

    File parts are refused before, for every page (`request_checks`).

    Raises:
        BadRequest: `next` holds control characters (it would break the redirect).
        UnsupportedMediaType: the body is not form-encoded (JSON, XML, ...).
    """
    next_url = request.args.get("next")
    if next_url is not None and not next_url.isprintable():
        raise BadRequest("The page to return to after signing in is malformed: sign in from its page.")
    if request.method != "POST":
        return
    if request.mimetype not in FORM_ENCODINGS:
        raise UnsupportedMediaType("Sign in with the sign-in page's form: it takes form fields, not JSON.")


def init_app(app: Flask) -> None:
    """Bind Flask-Login (anonymous visitors are sent to /login?next=...), the sign-in throttle and the
    access audit trail; sessions are `sessions.ConsoleSessions`."""
    app.session_interface = sessions.ConsoleSessions()
    throttle.init_app(app, refuse_throttled_sign_in)
    access_log.init_app()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to use the console."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the signed-in user, or None when the session has ended or its id is malformed."""
    return sessions.load_session_user(session_id)


def is_safe_next_url(target: str | None) -> TypeGuard[str]:
    """Whether `target` is a path on this site (no scheme, no host), so a redirect cannot leave it."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and ("\\" not in target)
        and target.isprintable()
    )


@bp.route("/login", methods=["GET", "POST"])
@throttle.per_account
@throttle.per_address
def login() -> str | Response:
    """Show the sign-in form; on success go to `next` when it is on this site, else the console."""
    refuse_odd_request()
    next_url = request.args.get("next")
    form = sign_in_form()
    if form.validate_on_submit():
        user = _user_by_email(form.email.data)
        assert form.password.data is not None  # DataRequired, checked by validate_on_submit()
        if password_matches(user, form.password.data):
            login_user(user)
            sessions.begin(user)
            user.last_login_at = utcnow()
            record_access(AccessEventKind.SIGNED_IN, user.email, user)
            db.session.commit()
            logger.info("user %s signed in", user.id)
            return redirect(next_url if is_safe_next_url(next_url) else url_for("admin.index"))
        logger.info("failed sign-in")
        throttle.record_failure()
        record_access(AccessEventKind.SIGN_IN_REFUSED, typed_email(form.email.data), user)
        db.session.commit()
        flash(SIGN_IN_FAILED, "danger")
    return login_page(form, next_url)


def login_page(form: LoginForm, next_url: str | None) -> str:
    """The sign-in page; on the sandbox (as `make run` starts it) it says where the demo admin's password
    is, when that admin exists."""
    demo_admin = current_app.config["TWILIO_SANDBOX"] and db.session.scalar(
        db.select(User.id).filter_by(email=DEMO_ADMIN_EMAIL)
    )
    return render_template(
        "auth/login.html",
        form=form,
        next_url=next_url,
        demo_admin=DEMO_ADMIN_EMAIL if demo_admin else None,
    )


def refuse_throttled_sign_in(error: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    """Answer 429 with the sign-in page saying how long to wait; log the refusal."""
    seconds = throttle.seconds_to_wait()
    logger.warning(
        "sign-in throttled from %s (%s): %d s to wait", request.remote_addr, error.limit.limit, seconds
    )
    flash(f"Too many failed sign-ins. Try again in {throttle.wait_text(seconds)}.", "danger")
    page = login_page(sign_in_form(), request.args.get("next"))
    return page, 429, {"Retry-After": str(seconds)}


def typed_email(email: str | None) -> str:
    """The e-mail as typed, normalised when it can be, for the audit trail."""
    try:
        return normalise_email(email)
    except ValueError:
        return (email or "").strip().lower()


def _user_by_email(email: str | None) -> User | None:
    try:
        normalised = normalise_email(email)
    except ValueError:
        return None
    return db.session.execute(db.select(User).filter_by(email=normalised)).scalar_one_or_none()


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign out, ending every session of this user, and return to the sign-in page."""
    current_user.end_sessions()
    record_access(AccessEventKind.SIGNED_OUT, current_user.email, current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def home() -> Response:
    """The site root is the console."""
    return redirect(url_for("admin.index"))
