"""The console's model views: businesses, phone numbers, activity and users."""

from __future__ import annotations

from typing import ClassVar

from webapp.admin.base import SecureModelView
from webapp.models import Role


class BusinessView(SecureModelView):
    """Every business, its status and its number."""

    column_list = ("name", "status", "phone_number", "contact_email", "preferred_area_code", "created_at")
    column_searchable_list = ("name", "contact_email")
    column_filters = ("status", "preferred_area_code")
    column_default_sort = ("name", False)
    form_excluded_columns = ("phone_number", "created_at", "updated_at")


class PhoneNumberView(SecureModelView):
    """Every number with its webhook state."""

    column_list = ("e164", "business", "area_code", "twilio_sid", "webhook_status", "webhook_checked_at")
    column_filters = ("webhook_status", "area_code")
    form_excluded_columns = ("created_at", "updated_at")


class ActivityView(SecureModelView):
    """The audit trail of background jobs; written by jobs, never by hand."""

    can_create = False
    can_edit = False
    can_delete = False
    column_list = (
        "created_at",
        "kind",
        "status",
        "business",
        "phone_number",
        "requested_by",
        "attempts",
        "error",
    )
    column_filters = ("kind", "status", "created_at")
    column_default_sort = ("created_at", True)


class UserView(SecureModelView):
    """Console users; admins only."""

    read_role: ClassVar[Role] = Role.ADMIN
    column_list = ("email", "role", "active", "last_login_at")
    column_exclude_list = ("password_hash",)
    form_excluded_columns = ("password_hash", "created_at", "updated_at", "last_login_at")
