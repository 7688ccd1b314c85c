"""The support console, built on Flask-Admin and mounted at /admin/."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme

from webapp.admin import formatters, queues
from webapp.admin.access_log import AccessLogView
from webapp.admin.activity import ActivityView
from webapp.admin.base import may
from webapp.admin.dashboard import DashboardView
from webapp.admin.idle_numbers import IdleNumberView
from webapp.admin.number_history import ReleasedNumberView
from webapp.admin.provision_alternatives import provision_alternatives
from webapp.admin.users import UserView
from webapp.admin.views import BusinessView, PhoneNumberView
from webapp.extensions import db
from webapp.models import AccessEvent, Activity, Business, NumberHistory, PhoneNumber, Role, User
from webapp.security_headers import csp_nonce


class AdminMenuLink(MenuLink):
    """A menu link only admins see."""

    def is_accessible(self) -> bool:
        return may(Role.ADMIN)


def init_app(app: Flask) -> None:
    """Mount the console and rq-dashboard on `app`.

    The Admin object is made per app, not in `extensions`: Flask-Admin binds view instances to one
    Admin, and the tests build many apps in one process.
    """
    admin = Admin(
        name="Switchboard",
        index_view=DashboardView(url="/admin", name="Dashboard"),
        theme=Bootstrap4Theme(base_template="admin/switchboard_base.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(BusinessView(Business, db, name="Businesses"))
    admin.add_view(PhoneNumberView(PhoneNumber, db, name="Phone numbers"))
    admin.add_view(
        IdleNumberView(PhoneNumber, db, name="Idle numbers", endpoint="idle_numbers", url="idle-numbers")
    )
    admin.add_view(ActivityView(Activity, db, name="Activity"))
    admin.add_view(UserView(User, db, name="Users"))
    admin.add_view(
        ReleasedNumberView(NumberHistory, db, name="Released numbers", endpoint="released", url="released")
    )
    admin.add_view(AccessLogView(AccessEvent, db, name="Access log", endpoint="access_log", url="access-log"))
    admin.add_link(AdminMenuLink(name="Queues", url=queues.RQ_DASHBOARD_PREFIX + "/"))
    admin.init_app(app)
    app.jinja_env.globals["console"] = formatters  # badges and labels, shared by formatters and templates
    app.jinja_env.globals["provision_alternatives"] = provision_alternatives  # a business's and an Activity's
    queues.init_app(app)
