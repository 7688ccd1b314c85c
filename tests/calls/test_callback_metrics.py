"""The receiver's counters move: callbacks received, refused by reason, and for unknown numbers."""

from __future__ import annotations

import pytest

from tests.callbacks.helpers import PUBLIC_BASE_URL, callback, new_call_sid, post_signed
from tests.factories import make_number
from tests.metrics.helpers import TOKEN, scrape, value

REFUSED = "switchboard_status_callbacks_refused_total"


@pytest.fixture
def app(make_app):
    return make_app(PUBLIC_BASE_URL=PUBLIC_BASE_URL, METRICS_TOKEN=TOKEN)


def counters(client) -> dict[str, float]:  # type: ignore[no-untyped-def]
    text = scrape(client)
    return {
        "received": value(text, "switchboard_status_callbacks_received_total"),
        "unknown": value(text, "switchboard_status_callbacks_unknown_number_total"),
        **{
            reason: value(text, REFUSED, reason=reason)
            for reason in ("bad_signature", "other_account", "malformed", "too_large")
        },
    }


def test_each_answer_of_the_receiver_moves_its_counter(client):
    number = make_number()
    before = counters(client)
    known = callback(number.e164, new_call_sid())
    post_signed(client, known)
    post_signed(client, known)  # a repeat: received again, recorded once
    post_signed(client, callback("+14155559876", new_call_sid()))
    post_signed(client, callback(number.e164, new_call_sid()), token="another-token-entirely")
    post_signed(client, {**callback(number.e164, new_call_sid()), "AccountSid": "AC" + "f" * 32})
    post_signed(client, callback(number.e164, "CA-not-a-sid"))
    client.post(
        "/twilio/call-status", data="x" * (65 * 1024), content_type="application/x-www-form-urlencoded"
    )

    after = counters(client)

    assert {name: after[name] - before[name] for name in after} == {
        "received": 3,
        "unknown": 1,
        "bad_signature": 1,
        "other_account": 1,
        "malformed": 1,
        "too_large": 1,
    }
