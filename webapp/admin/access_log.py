"""The admins' "Access log": every sign-in, refused sign-in, sign-out, role change and (de)activation."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import joinedload

from webapp.admin import formatters
from webapp.admin.base import SecureModelView
from webapp.models import AccessEvent, Role


class AccessLogView(SecureModelView):
    """The access audit trail, newest first; read-only, admins only, exportable as CSV."""

    read_role = Role.ADMIN
    can_create = False
    can_edit = False
    can_delete = False
    can_export = True
    column_list = ("happened_at", "kind", "email", "actor", "address", "detail")
    column_labels: ClassVar[dict[str, str]] = {
        "happened_at": "When",
        "kind": "What",
        "email": "Account",
        "actor": "By",
        "address": "From",
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "happened_at": formatters.timestamp,
        "kind": formatters.enum_label,
        "actor": lambda view, context, model, name: model.actor or "—",
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {"kind": formatters.export_enum}
    column_searchable_list = ("email", "address")
    column_filters = ("kind", "happened_at")
    column_sortable_list = ("happened_at", "kind", "email")
    column_default_sort = ("happened_at", True)

    def search_placeholder(self) -> str:
        return "E-mail or address"

    def get_query(self) -> Any:
        return super().get_query().options(joinedload(AccessEvent.actor))
