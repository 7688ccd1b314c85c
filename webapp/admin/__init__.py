"""The support console, built on Flask-Admin and mounted at /admin/."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from webapp.admin.base import SecureIndexView
from webapp.admin.views import ActivityView, BusinessView, PhoneNumberView, UserView
from webapp.extensions import db
from webapp.models import Activity, Business, PhoneNumber, User


def init_app(app: Flask) -> None:
    """Mount the console on `app`.

    The Admin object is made per app, not in `extensions`: Flask-Admin binds view instances to one
    Admin, and the tests build many apps in one process.
    """
    admin = Admin(
        name="Switchboard",
        index_view=SecureIndexView(url="/admin", name="Dashboard"),
        theme=Bootstrap4Theme(base_template="admin/switchboard_base.html"),
    )
    admin.add_view(BusinessView(Business, db, name="Businesses"))
    admin.add_view(PhoneNumberView(PhoneNumber, db, name="Phone numbers"))
    admin.add_view(ActivityView(Activity, db, name="Activity"))
    admin.add_view(UserView(User, db, name="Users"))
    admin.init_app(app)
