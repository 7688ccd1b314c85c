"""The one base of every console view: sign-in required, and each view method's minimum role."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.admin.converters import SwitchboardFilterConverter, SwitchboardModelConverter
from webapp.models import Role


def signed_in() -> bool:
    """Whether an active user is signed in."""
    return bool(current_user.is_authenticated and current_user.is_active)


def refuse(name: str) -> Response:
    """Send anonymous visitors to sign in (coming back here after); refuse signed-in ones with 403."""
    if not signed_in():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


class SecureIndexView(AdminIndexView):
    """The console's home page, for signed-in users only."""

    def is_accessible(self) -> bool:
        return signed_in()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        return refuse(name)


class SecureModelView(ModelView):
    """A model view that viewers read, and whose changes need the role in `method_roles`.

    A refused change is a 403, never Flask-Admin's silent redirect.
    """

    read_role: ClassVar[Role] = Role.VIEWER
    method_roles: ClassVar[dict[str, Role]] = {
        "create_view": Role.ADMIN,
        "edit_view": Role.ADMIN,
        "delete_view": Role.ADMIN,
        "action_view": Role.OPERATOR,
    }
    page_size = 50
    filter_converter = SwitchboardFilterConverter()
    model_form_converter = SwitchboardModelConverter
    can_view_details = True

    def is_accessible(self) -> bool:
        return signed_in() and current_user.has_role(self.read_role)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        return refuse(name)

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        required = self.method_roles.get(name)
        if required is not None and not current_user.has_role(required):
            abort(403)
        return None

    def _user_may(self, method: str) -> bool:
        required = self.method_roles.get(method)
        return signed_in() and (required is None or current_user.has_role(required))

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self._user_may("create_view")

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self._user_may("edit_view")

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self._user_may("delete_view")
