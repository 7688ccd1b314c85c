"""The concurrency Twilio reports in its answers' headers."""

from __future__ import annotations

from tests.metrics.helpers import TOKEN, scrape, value
from webapp.metrics.twilio import CONCURRENCY_HEADER, note_answer

REPORTED = "switchboard_twilio_reported_concurrent_requests"


def test_the_latest_reported_concurrency_is_kept_and_answers_without_it_change_nothing(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()

    note_answer({CONCURRENCY_HEADER: "7"})
    note_answer({"Content-Type": "application/json"})
    note_answer({CONCURRENCY_HEADER: "many"})
    note_answer(None)

    assert value(scrape(client), REPORTED) == 7
