"""The expected configuration of a number: where it comes from, what differs, what one update sends."""

from __future__ import annotations

import uuid

import pytest

from webapp.twilio_client import NumberConfiguration, TwilioNumber

BUSINESS = uuid.UUID("12345678-1234-5678-1234-567812345678")
SETTINGS = {
    "TWILIO_VOICE_URL": "https://assistant.example.com/{business_id}/voice",
    "TWILIO_STATUS_CALLBACK_URL": "https://switchboard.example.com/twilio/call-status",
    "TWILIO_VOICE_FALLBACK_URL": "",
    "TWILIO_SMS_URL": "",
}


def number(**fields: str | None) -> TwilioNumber:
    return TwilioNumber(
        sid="PN" + "0" * 32,
        phone_number="+14155550100",
        friendly_name="switchboard:x",
        capabilities={},
        voice_url=fields.pop("voice_url", f"https://assistant.example.com/{BUSINESS}/voice"),
        voice_method="POST",
        status_callback="https://switchboard.example.com/twilio/call-status",
        status_callback_method="POST",
        **fields,
    )


def test_the_voice_url_names_the_business_unless_it_has_its_own():
    assert NumberConfiguration.from_config(SETTINGS, BUSINESS).voice_url == (
        f"https://assistant.example.com/{BUSINESS}/voice"
    )
    own = NumberConfiguration.from_config(SETTINGS, BUSINESS, "https://own.example.com/voice")
    assert own.voice_url == "https://own.example.com/voice"


def test_unset_sms_and_fallback_urls_are_left_alone_and_not_reported():
    expected = NumberConfiguration.from_config(SETTINGS, BUSINESS)

    assert expected.differences(number(sms_url="https://chatwoot.example.com/sms", sms_method="GET")) == []
    assert "sms_url" not in expected.request_params()
    assert "voice_fallback_url" not in expected.request_params()


def test_sms_url_when_set_is_sent_and_compared_with_its_method():
    expected = NumberConfiguration.from_config(
        {**SETTINGS, "TWILIO_SMS_URL": "https://s.example.com/sms"}, BUSINESS
    )

    [url, method] = expected.differences(number(sms_url=None, sms_method="GET"))

    assert url.phrase() == "SMS URL is empty, expected https://s.example.com/sms"
    assert method.phrase() == "SMS method is GET, expected POST"
    assert expected.request_params()["sms_url"] == "https://s.example.com/sms"


@pytest.mark.parametrize(
    ("field", "sid", "phrase"),
    [
        ("trunk_sid", "TK" + "1" * 32, "calls go to SIP trunk TK" + "1" * 32 + "; the voice URL is ignored"),
        (
            "voice_application_sid",
            "AP" + "2" * 32,
            "calls go to application AP" + "2" * 32 + "; the voice URL is ignored",
        ),
    ],
)
def test_an_application_or_trunk_is_named_and_cleared_only_when_asked(field, sid, phrase):
    expected = NumberConfiguration.from_config(SETTINGS, BUSINESS)

    [difference] = expected.differences(number(**{field: sid}))

    assert difference.phrase() == phrase
    assert "trunk_sid" not in expected.request_params()
    assert expected.request_params(clear_routing=True)["trunk_sid"] == ""
    assert expected.request_params(clear_routing=True)["voice_application_sid"] == ""
