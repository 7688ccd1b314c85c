"""The console on the bench database, with the *before* variant's baseline views mounted beside its own."""

from __future__ import annotations

from flask import Flask

from bench.environment import BENCH_DATABASE_URL, BENCH_REDIS_URL
from webapp import create_app
from webapp.admin.dashboard import DashboardView
from webapp.admin.views import BusinessView, PhoneNumberView
from webapp.extensions import db
from webapp.models import Business, PhoneNumber


class Hidden:
    """A view kept out of the menu: the baseline variants are reached by URL only."""

    def is_visible(self) -> bool:
        return False


class BaselineBusinessView(Hidden, BusinessView):
    """The businesses list with Flask-Admin's exact count and unbounded OFFSET."""

    count_cap = None
    paged_rows = None


class BaselinePhoneNumberView(Hidden, PhoneNumberView):
    """The numbers list with Flask-Admin's exact count and unbounded OFFSET."""

    count_cap = None
    paged_rows = None


class BaselineDashboardView(Hidden, DashboardView):
    """The dashboard with exact GROUP BY counts and an exact backlog count."""

    count_cap = None


VARIANTS = {"before": "/admin/baseline", "after": "/admin"}
"""Each variant's URL prefix; the views below it are named alike (`business`, `phonenumber`)."""


def build_app() -> Flask:
    """The console on the bench database, with the baseline views beside its own."""
    app = create_app(
        {
            "DATABASE_URL": BENCH_DATABASE_URL,
            "REDIS_URL": BENCH_REDIS_URL,
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "SESSION_COOKIE_SECURE": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    admin = app.extensions["admin"][0]
    prefix = VARIANTS["before"]
    admin.add_view(BaselineBusinessView(Business, db, endpoint="baseline_business", url=f"{prefix}/business"))
    admin.add_view(
        BaselinePhoneNumberView(PhoneNumber, db, endpoint="baseline_phonenumber", url=f"{prefix}/phonenumber")
    )
    admin.add_view(BaselineDashboardView(endpoint="baseline_dashboard", url=prefix))
    return app
