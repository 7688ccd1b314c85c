"""The one base of every console view: sign-in required, and each view method's minimum role."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, NoReturn

import wtforms
from flask import abort, flash, redirect, request, url_for
from flask_admin import AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from webapp.admin import formatters
from webapp.admin.converters import SwitchboardFilterConverter, SwitchboardModelConverter
from webapp.admin.counts import COUNT_CAP, ApproximateCount, CappedCountQuery
from webapp.admin.exports import spreadsheet_safe
from webapp.admin.filters import invalid_value_message
from webapp.errors import UNSTORABLE_INPUT
from webapp.extensions import db
from webapp.jobs.enqueue import QueueUnavailable
from webapp.models import Activity, ActivityKind, PhoneNumber, Role, User, ValidationError
from webapp.models.base import system_kept_columns
from webapp.models.persistence import constraint_name, validation_error_for

logger = logging.getLogger(__name__)

PAGED_ROWS = 100_000
"""The deepest row a list pages to (page 2,000 at 50 a page): OFFSET reads every row it skips."""

CHANGE_FAILED = "Nothing was changed: something went wrong on our side. It has been logged."
"""What a user reads when a save, delete or action fails unexpectedly; the details go to the log only."""

SEARCH_MAX_LENGTH = 254
"""The longest search or filter value a list takes (the longest e-mail address): nothing stored is longer."""

TOO_LONG_TO_SEARCH = (
    f"Searches and filters take at most {SEARCH_MAX_LENGTH} characters: nothing stored is longer."
)


def signed_in() -> bool:
    """Whether an active user is signed in."""
    return bool(current_user.is_authenticated and current_user.is_active)


ROLE_HOLDERS = {Role.VIEWER: "signed-in users", Role.OPERATOR: "operators and admins", Role.ADMIN: "admins"}
"""Who holds a role or a higher one, as a 403 names them."""


def forbid(role: Role) -> NoReturn:
    """Refuse the signed-in user with a 403 that says which role may do this and which one they have."""
    abort(
        403,
        description=(
            f"Only {ROLE_HOLDERS[role]} can do this. You are signed in as {current_user.email}, "
            f"whose role is {current_user.role}: an admin can change it on the Users page."
        ),
    )


def refuse(role: Role) -> Response:
    """Send anonymous visitors to sign in (coming back here after); refuse signed-in ones with a 403 naming
    `role`, the role the page needs."""
    if not signed_in():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    forbid(role)


def may(role: Role) -> bool:
    """Whether the signed-in user has `role` or above."""
    return signed_in() and current_user.has_role(role)


def requester() -> User:
    """The signed-in user as a model instance, to record as an Activity's requester."""
    return current_user._get_current_object()


def parse_id(value: Any) -> uuid.UUID | None:
    """Return a record id from a URL as a UUID, or None when it is not one (the page then says so)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def activity_url(activity: Activity) -> str:
    """The Activity's page in the console."""
    return url_for("activity.details_view", id=activity.id)


def latest_number_activity(number: PhoneNumber, kind: ActivityKind) -> Activity | None:
    """The number's latest Activity of `kind` (a panel's live status or verdict), or None."""
    query = (
        select(Activity)
        .where(Activity.phone_number_id == number.id, Activity.kind == kind)
        .order_by(Activity.created_at.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def flash_activity(message: str, activity: Activity | None = None, link_text: str = "View activity") -> None:
    """Flash `message` with a link to `activity` (or to the Activity list when several were started).

    With one Activity the message shows its status, and the page it lands on follows the job to its end,
    then shows what it changed (static/switchboard.js).
    """
    if activity is None:
        url = url_for("activity.index_view")
        link = Markup('<a href="{}" class="alert-link">{}</a>').format(url, link_text)
    else:
        link = Markup('{} <a href="{}" class="alert-link">{}</a>').format(
            formatters.live_activity_status(activity), activity_url(activity), link_text
        )
    flash(Markup("{} {}").format(message, link), "success")


@contextmanager
def reporting_refusals() -> Iterator[None]:
    """Turn a refused enqueue (queue down, invalid request) into a flashed sentence, not an error page."""
    try:
        yield
    except QueueUnavailable as error:
        logger.warning("queue unavailable: %s", error)
        flash(str(error), "danger")
    except ValidationError as error:
        flash(error.message, "danger")


class SecureIndexView(AdminIndexView):
    """The console's home page, for signed-in users only."""

    def is_accessible(self) -> bool:
        return signed_in()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        return refuse(Role.VIEWER)


class SecureModelView(ModelView):
    """A model view that viewers read, and whose changes need the role in `method_roles`.

    A refused change is a 403, never Flask-Admin's silent redirect. Actions (the "With selected" menu and
    the row buttons, which post to `action_view`) need `action_view`'s role: viewers see none of them; an
    action in `action_roles` needs that role too. A subclass or mixin names only its own methods and
    actions: `method_roles` and `action_roles` are merged over every base (`__init_subclass__`).

    Lists count at most `count_cap` rows (an estimate or a lower bound above it, see `counts`) and page
    down to `paged_rows`; None restores Flask-Admin's exact `count(*)` and unbounded OFFSET.
    """

    read_role: ClassVar[Role] = Role.VIEWER
    method_roles: ClassVar[dict[str, Role]] = {
        "create_view": Role.ADMIN,
        "edit_view": Role.ADMIN,
        "delete_view": Role.ADMIN,
        "action_view": Role.OPERATOR,
        "ajax_update": Role.ADMIN,  # inline list edits change records like edit_view
    }
    action_roles: ClassVar[dict[str, Role]] = {}
    list_template = "admin/switchboard_list.html"
    page_size = 50
    page_size_options = (20, 50, 100)
    filter_converter = SwitchboardFilterConverter()
    model_form_converter = SwitchboardModelConverter
    can_view_details = True
    export_max_rows = 10_000
    export_types: ClassVar[list[str]] = ["csv"]
    count_cap: ClassVar[int | None] = COUNT_CAP
    paged_rows: ClassVar[int | None] = PAGED_ROWS

    def is_accessible(self) -> bool:
        return may(self.read_role)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        return refuse(self.read_role)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Merge `method_roles` and `action_roles` over every base and mixin, the nearest class last."""
        super().__init_subclass__(**kwargs)
        for table in ("method_roles", "action_roles"):
            merged: dict[str, Role] = {}
            for base in reversed(cls.__mro__):
                merged.update(vars(base).get(table, {}))
            setattr(cls, table, merged)

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        action = (request.form.get("action") or "") if name == "action_view" else ""
        for required in (self.method_roles.get(name), self.action_roles.get(action)):
            if required is not None and not may(required):
                forbid(required)
        return None

    def _user_may(self, method: str) -> bool:
        required = self.method_roles.get(method)
        return signed_in() and (required is None or current_user.has_role(required))

    def _may_act(self, action_name: str | None) -> bool:
        required = self.action_roles.get(action_name or "")
        return signed_in() and (required is None or current_user.has_role(required))

    @property
    def can_create(self) -> bool:
        return self._user_may("create_view")

    @property
    def can_edit(self) -> bool:
        return self._user_may("edit_view")

    @property
    def can_delete(self) -> bool:
        return self._user_may("delete_view")

    @property
    def may_operate(self) -> bool:
        """Whether the signed-in user may run this view's actions (templates show buttons only then)."""
        return self._user_may("action_view")

    def is_action_allowed(self, name: str) -> bool:
        return self.may_operate and self._may_act(name) and super().is_action_allowed(name)

    def get_count_query(self) -> Any:
        if self.count_cap is None:
            return super().get_count_query()
        # A Query holds the session itself, as the one Flask-Admin makes with db.session.query() does.
        return CappedCountQuery.of(self.model, db.session(), self.count_cap)

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        count, rows = super().get_list(*args, **kwargs)
        if self.paged_rows is not None and isinstance(count, ApproximateCount):
            count = count.bounded(self.paged_rows)  # the pager offers no page past paged_rows
        return count, rows

    def _apply_pagination(self, query: Any, page: int | None, page_size: int | None) -> Any:
        """Page with a deferred join: the skipped rows are read as ids only, without the eager joins.

        Flask-Admin joins each row's eager-loaded relations before OFFSET discards it: page 1,000 of the
        businesses joined 50,000 numbers (80 ms at 100,000 businesses). Here the page's ids are chosen
        first, then only those rows are loaded with their relations.
        """
        size = self.page_size if page_size is None else page_size
        if self.paged_rows is None or not page or not size:
            return super()._apply_pagination(query, page, page_size)
        if page * size >= self.paged_rows:
            page = (self.paged_rows - 1) // size
            flash(f"Lists show their first {self.paged_rows:,} rows: search or filter to find more.", "info")
        ids = query.enable_eagerloads(False).with_entities(self.model.id).limit(size).offset(page * size)
        return query.filter(self.model.id.in_(select(ids.subquery().c.id))).limit(size)

    def scaffold_form(self) -> Any:
        """The model's form without the columns the system keeps (`SYSTEM_KEPT`): no form edits them."""
        form_class = super().scaffold_form()
        for name in system_kept_columns(self.model):
            if hasattr(form_class, name):
                delattr(form_class, name)
        return form_class

    def get_export_value(self, model: Any, name: str) -> Any:
        """The cell as Flask-Admin formats it for export, never a spreadsheet formula (see `exports`)."""
        return spreadsheet_safe(super().get_export_value(model, name))

    def _get_list_extra_args(self) -> Any:
        """The URL arguments of a list or export; a search or filter value longer than anything stored is
        refused (more digits than int() converts, a LIKE pattern SQLite finds too complex)."""
        for name, value in request.args.items(multi=True):
            if (name == "search" or name.startswith("flt")) and len(value) > SEARCH_MAX_LENGTH:
                raise BadRequest(TOO_LONG_TO_SEARCH)
        return super()._get_list_extra_args()

    def get_invalid_value_msg(self, value: str, filter: Any) -> str:
        """Say which filter refused the value and what it expects (Flask-Admin says only the value)."""
        return invalid_value_message(filter, value, self)

    def get_one(self, id: Any) -> Any:
        key = parse_id(id)
        return None if key is None else self.get_query().filter(self.model.id == key).one_or_none()

    def get_records(self, ids: list[str]) -> list[Any]:
        """The records an action was asked for (ids from the form), loaded as the list loads them."""
        keys = [key for key in map(parse_id, ids) if key is not None]
        return self.get_query().filter(self.model.id.in_(keys)).all()

    def handle_view_exception(self, exc: Exception) -> bool:
        """Flash a sentence for a refused save, delete or action, never the database's text: it holds the
        statement and its values (a new user's password hash, say). The database down is the 503 page."""
        if isinstance(exc, IntegrityError):
            logger.warning("a change on %s broke %s", request.path, constraint_name(exc) or "a constraint")
            exc = validation_error_for(exc)
        if isinstance(exc, ValidationError):
            flash(exc.message, "error")
            return True
        if isinstance(exc, wtforms.ValidationError):
            return super().handle_view_exception(exc)  # a form validator's own sentence
        if isinstance(exc, OperationalError):
            raise exc
        if isinstance(exc, DataError):
            logger.warning("database refused the input on %s: %s", request.path, exc.orig)
            flash(UNSTORABLE_INPUT, "error")
            return True
        if isinstance(exc, SQLAlchemyError):  # its traceback and text would log the statement's values
            logger.error("a change on %s failed: %s", request.path, type(exc).__name__)
        else:
            logger.exception("a change on %s failed", request.path)
        flash(CHANGE_FAILED, "error")
        return True
