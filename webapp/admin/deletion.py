"""Deleting businesses from the console: one that holds a number is kept, with a sentence saying what to do.

Every path that deletes from the console (the trash icon, "With selected → Delete", the business page's
Delete) goes through `delete_model`. The database refuses the same deletes (models/release_guard.py), so
a business that gets a number between this check and the commit is kept too, with the same advice.
"""

from __future__ import annotations

from flask import flash, url_for
from flask_admin.actions import action
from markupsafe import Markup

from webapp.models import Business


def deletion_refusal(business: Business) -> Markup | None:
    """Why `business` may not be deleted, linking to its number's Release and Move pages, or None."""
    sentence = business.deletion_refusal()
    if sentence is None or business.phone_number is None:
        return None
    number = business.phone_number
    return Markup(
        '{} <a href="{}" class="alert-link">Release {}…</a> or '
        '<a href="{}" class="alert-link">Move it to another business…</a>'
    ).format(
        sentence,
        url_for("phonenumber.release_view", id=number.id),
        number.formatted,
        url_for("phonenumber.move_view", id=number.id),
    )


class KeepNumberedBusinessesMixin:
    """Refuses, in words, to delete a business that holds a number; others are deleted as before."""

    def delete_model(self, model: Business) -> bool:
        if refusal := deletion_refusal(model):
            flash(refusal, "danger")
            return False
        return super().delete_model(model)  # type: ignore[misc]

    @action("delete", "Delete", "Delete the selected businesses? Those that hold a number are kept.")
    def action_delete(self, ids: list[str]) -> None:
        deleted = sum(self.delete_model(business) for business in self.get_records(ids))  # type: ignore[attr-defined]
        if deleted:
            flash(f"Deleted {deleted} business{'es' if deleted > 1 else ''}.", "success")
