"""Request ids: taken from `X-Request-ID` when sane, made otherwise, returned, and carried into the log line
and the job a request enqueues."""

from __future__ import annotations

import json
import logging

import pytest
from flask_login import login_user

from tests.fixtures.web import make_user
from webapp.log_context import REQUEST_ID_HEADER, job_meta, log_ids
from webapp.logging_setup import JsonFormatter


def test_a_sane_request_id_is_returned_as_it_came(client):
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-7f3a.2"})

    assert response.headers[REQUEST_ID_HEADER] == "lb-7f3a.2"


@pytest.mark.parametrize("supplied", [None, "", "x" * 129, "two words", "line\\nbreak", "+14155550100 <b>"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, supplied):
    headers = {REQUEST_ID_HEADER: supplied} if supplied is not None else {}

    first = client.get("/healthz", headers=headers).headers[REQUEST_ID_HEADER]
    second = client.get("/healthz", headers=headers).headers[REQUEST_ID_HEADER]

    assert len(first) == 32 and first.isalnum() and first != second


def test_a_json_log_line_and_an_enqueued_job_carry_the_request_id(app):
    record = logging.LogRecord("webapp.test", logging.INFO, __file__, 1, "Bought %s", ("+14155550100",), None)
    with app.test_request_context(headers={REQUEST_ID_HEADER: "click-1"}):
        line = json.loads(JsonFormatter().format(record))
        meta = job_meta("an-activity")
        ids = log_ids()

    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "webapp.test",
        "message": "Bought +14155550100",
        "request_id": "click-1",
        "user_id": None,
        "job_id": None,
        "activity_id": None,
    }
    assert line["time"].endswith("+00:00")
    assert meta == {"request_id": "click-1", "activity_id": "an-activity"} and ids["request_id"] == "click-1"


def test_outside_a_request_or_a_job_the_ids_are_unknown(app):
    assert log_ids() == {"request_id": None, "user_id": None, "job_id": None, "activity_id": None}


def test_a_signed_in_users_id_is_on_the_line(app):
    user = make_user()
    with app.test_request_context():
        login_user(user)

        assert log_ids()["user_id"] == str(user.id)
