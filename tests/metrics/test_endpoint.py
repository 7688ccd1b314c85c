"""`GET /metrics` in the web process: who gets it, what a request does to it, and settings it refuses."""

from __future__ import annotations

import logging

import pytest

from harness.services import DEAD_REDIS_URL
from tests.metrics.helpers import BEARER, TOKEN, identifying_labels, scrape, value
from webapp.config import SettingsError, load_settings

HEALTHZ = {"endpoint": "health.healthz", "method": "GET", "status": "200"}


def test_metrics_are_off_unless_configured_and_then_look_like_any_unknown_page(make_app):
    client = make_app().test_client()

    response = client.get("/metrics", headers=BEARER)

    assert response.status_code == 404
    assert client.get("/no-such-page").get_data() == response.get_data()


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_without_the_token_metrics_answer_an_empty_401_and_never_the_sign_in_page(make_app, authorization):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401 and response.get_data() == b""
    assert response.headers["WWW-Authenticate"].startswith("Bearer") and "Location" not in response.headers


def test_the_bearer_token_gets_the_exposition(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()

    response = client.get("/metrics", headers=BEARER)

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain") and response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert value(text, "switchboard_redis_up") == 1
    assert value(text, "switchboard_queue_jobs", queue="switchboard") == 0
    assert value(text, "switchboard_twilio_concurrency_limit") == 20
    assert (
        value(text, "switchboard_twilio_breaker_state", breaker="twilio:purchase_number", state="closed") == 1
    )


@pytest.mark.parametrize(("allowed", "status"), [("127.0.0.1", 200), ("10.0.0.0/8,::1", 403)])
def test_an_address_in_the_allow_list_needs_no_token_and_any_other_gets_403(make_app, allowed, status):
    client = make_app(METRICS_ALLOW=allowed).test_client()  # the test client calls from 127.0.0.1

    response = client.get("/metrics")

    assert response.status_code == status
    if status == 403:
        assert response.get_data() == b""


def test_a_request_moves_the_http_counter_and_its_histogram(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    before = scrape(client)

    assert client.get("/healthz").status_code == 200

    after = scrape(client)
    assert (
        value(after, "switchboard_http_requests_total", **HEALTHZ)
        - value(before, "switchboard_http_requests_total", **HEALTHZ)
        == 1
    )
    timed = {"endpoint": "health.healthz", "method": "GET"}
    assert (
        value(after, "switchboard_http_request_duration_seconds_count", **timed)
        - value(before, "switchboard_http_request_duration_seconds_count", **timed)
        == 1
    )
    assert identifying_labels(after) == []


def test_unknown_pages_and_odd_methods_keep_labels_bounded(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()

    client.get("/+14155550100/PN" + "0" * 32)
    client.open("/healthz", method="BREW")

    text = scrape(client)
    assert value(text, "switchboard_http_requests_total", endpoint="unmatched", status="404") >= 1
    assert value(text, "switchboard_http_requests_total", method="other") >= 1
    assert identifying_labels(text) == []


def test_scrapes_are_not_throttled_by_the_sign_in_limits(make_app):
    client = make_app(
        METRICS_TOKEN=TOKEN,
        SIGN_IN_LIMITS_PER_ADDRESS="2 per minute",
        SIGN_IN_LIMITS_PER_ACCOUNT="2 per minute",
    ).test_client()

    assert {client.get("/metrics", headers=BEARER).status_code for _ in range(10)} == {200}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"METRICS_ALLOW": "10.0.0.0/8,prometheus.internal"}, "METRICS_ALLOW must be addresses or networks"),
        ({"PROMETHEUS_MULTIPROC_DIR": "/no/such/directory"}, "PROMETHEUS_MULTIPROC_DIR must be an existing"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN must be at least 16 characters"),
    ],
)
def test_malformed_metrics_settings_are_refused_in_one_line(setting, message):
    with pytest.raises(SettingsError, match=message) as refused:
        load_settings(setting)

    assert "\n" not in str(refused.value)


def test_with_redis_down_a_scrape_still_answers_and_says_so(make_app):
    client = make_app(REDIS_URL=DEAD_REDIS_URL, METRICS_TOKEN=TOKEN).test_client()

    text = scrape(client)

    assert value(text, "switchboard_redis_up") == 0
    assert "switchboard_queue_jobs" not in text and "switchboard_twilio_breaker_state" not in text


@pytest.mark.parametrize(
    ("request_line", "logged"),
    [
        ("GET /metrics HTTP/1.1", False),
        ("\x1b[1m\x1b[31mGET /metrics HTTP/1.1\x1b[0m", False),  # a 401, colored
        ("GET /metrics?x=1 HTTP/1.1", False),
        ("GET /healthz HTTP/1.1", True),
        ("GET /metrics-and-more HTTP/1.1", True),
    ],
)
def test_the_development_servers_request_log_leaves_scrapes_out(make_app, request_line, logged):
    make_app()
    # As werkzeug's request handler logs a request: '"%s" %s %s' with the request line first.
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s %s', (request_line, 200, 12), None
    )

    assert bool(logging.getLogger("werkzeug").filter(record)) is logged
