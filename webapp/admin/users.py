"""The Users view, for admins: create users, change roles, deactivate, set passwords."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_login import current_user
from wtforms import Form, PasswordField
from wtforms.validators import Length, Optional

from webapp.admin import formatters
from webapp.admin.base import SecureModelView
from webapp.models import Role, User, ValidationError
from webapp.models.passwords import PASSWORD_RULE
from webapp.models.user import last_admin_refusal


class NewPasswordField(PasswordField):
    """A password input that is never echoed back and never copied onto the model as plain text."""

    def populate_obj(self, obj: Any, name: str) -> None:
        """Do nothing: the view hashes the password with `User.set_password`."""


class UserView(SecureModelView):
    """Console users; admins only. Users are deactivated, not deleted, so their activity keeps its author."""

    read_role: ClassVar[Role] = Role.ADMIN
    method_roles: ClassVar[dict[str, Role]] = dict.fromkeys(
        ("create_view", "edit_view", "delete_view", "action_view"), Role.ADMIN
    )
    can_delete = False
    column_list = ("email", "role", "active", "last_login_at", "created_at")
    column_details_list = ("email", "role", "active", "last_login_at", "created_at", "updated_at")
    column_exclude_list = ("password_hash",)
    column_export_exclude_list = ("password_hash",)
    column_formatters: ClassVar[dict[str, Any]] = {
        "role": formatters.enum_label,
        "last_login_at": formatters.timestamp,
        "created_at": formatters.timestamp,
        "updated_at": formatters.timestamp,
    }
    column_labels: ClassVar[dict[str, str]] = {"email": "E-mail", "last_login_at": "Last sign-in"}
    column_searchable_list = ("email",)
    column_filters = ("role", "active")
    column_default_sort = ("email", False)
    form_columns = ("email", "role", "active", "password")
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "password": NewPasswordField(
            "New password",
            validators=[Optional(), Length(max=1024)],
            description=f"Leave empty to keep the current password. {PASSWORD_RULE}",
        )
    }

    def create_form(self, obj: Any = None) -> Form:
        """The edit form, asking for the new user's first password (there is no current one to keep)."""
        form = super().create_form(obj)
        form.password.label.text = "Password"
        form.password.description = PASSWORD_RULE
        return form

    def on_model_change(self, form: Form, model: User, is_created: bool) -> None:
        password = form["password"].data
        if password:
            model.set_password(password)
        elif is_created:
            raise ValidationError("password", "Set a password for the new user.")
        if model.id == current_user.id and (not model.active or model.role != Role.ADMIN):
            raise ValidationError("role", "You cannot deactivate yourself or remove your own admin role.")
        refusal = last_admin_refusal(model)
        if refusal:
            raise ValidationError("role", refusal)
