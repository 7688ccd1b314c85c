"""The JSON Twilio answers with, field for field, built from the sandbox's records.

Like Twilio, unset URLs and application SIDs are `""`, other unset SIDs (a trunk's too) `null`, dates
RFC 2822 in GMT, `uri` paths relative to the API host, and latitude/longitude strings.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from webapp.sandbox.pool import AREA_CODES, PoolNumber, format_national, number_type_of
from webapp.sandbox.store import OwnedNumber

API_VERSION = "2010-04-01"
NUMBER_SETTING_DEFAULTS: dict[str, Any] = {
    "voice_url": "",
    "voice_method": "POST",
    "voice_fallback_url": "",
    "voice_fallback_method": "POST",
    "voice_caller_id_lookup": False,
    "voice_application_sid": "",
    "status_callback": "",
    "status_callback_method": "POST",
    "sms_url": "",
    "sms_method": "POST",
    "sms_fallback_url": "",
    "sms_fallback_method": "POST",
    "sms_application_sid": "",
    "trunk_sid": "",
    "emergency_address_sid": None,
    "emergency_address_status": "unregistered",
}
"""What a newly bought number answers for each setting the purchase did not give."""


def rfc2822(moment: datetime) -> str:
    """Return a UTC time as Twilio writes dates: `Thu, 30 Jul 2015 23:19:04 +0000`."""
    return format_datetime(moment)


def account_path(account_sid: str) -> str:
    """Return the path every resource of the account lives under."""
    return f"/{API_VERSION}/Accounts/{account_sid}"


def capabilities(sms: bool) -> dict[str, bool]:
    """Return a number's capabilities as Twilio writes them (lower-case keys)."""
    return {"voice": True, "sms": sms, "mms": sms, "fax": False}


INCOMING_TYPES = {"local": "local", "toll-free": "tollfree", "mobile": "mobile"}
"""How an IncomingPhoneNumber names each kind of number in its `type`."""


def incoming_number(number: OwnedNumber, account_sid: str) -> dict[str, Any]:
    """Return the IncomingPhoneNumber resource for an owned number."""
    where = AREA_CODES.get(number.area_code)
    number_type = number_type_of(number.phone_number)
    return {
        "account_sid": account_sid,
        "address_requirements": where.address_requirements
        if where and number_type != "toll-free"
        else "none",
        "address_sid": None,
        "api_version": API_VERSION,
        "beta": False,
        "bundle_sid": None,
        "capabilities": capabilities(number.sms),
        "date_created": rfc2822(number.date_created),
        "date_updated": rfc2822(number.date_updated),
        "emergency_status": "Inactive",
        "friendly_name": number.friendly_name,
        "identity_sid": None,
        "origin": "twilio",
        "phone_number": number.phone_number,
        "sid": number.sid,
        **NUMBER_SETTING_DEFAULTS,
        **number.settings,
        "status": "in-use",
        "trunk_sid": number.settings.get("trunk_sid") or None,
        "type": INCOMING_TYPES[number_type],
        "uri": f"{account_path(account_sid)}/IncomingPhoneNumbers/{number.sid}.json",
        "voice_receive_mode": "voice",
    }


def available_number(number: PoolNumber) -> dict[str, Any]:
    """Return an AvailablePhoneNumber record for a pool number (a toll-free one has no locality)."""
    where = number.locality
    return {
        "address_requirements": where.address_requirements if where else "none",
        "beta": False,
        "capabilities": capabilities(number.sms),
        "friendly_name": number.friendly_name,
        "iso_country": "US",
        "lata": where and where.lata,
        "latitude": where and where.latitude,
        "locality": where and where.locality,
        "longitude": where and where.longitude,
        "phone_number": number.phone_number,
        "postal_code": where and where.postal_code,
        "rate_center": where and where.rate_center,
        "region": where and where.region,
    }


def call(
    sid: str, account_sid: str, to: str, from_: str, phone_number_sid: str | None, now: datetime
) -> dict[str, Any]:
    """Return a Call resource for an outbound call that has just been queued."""
    uri = f"{account_path(account_sid)}/Calls/{sid}"
    subresources = (
        "notifications", "recordings", "payments", "events", "siprec", "streams", "transcriptions",
        "user_defined_message_subscriptions", "user_defined_messages",
    )  # fmt: skip
    return {
        "account_sid": account_sid,
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": None,
        "date_created": rfc2822(now),
        "date_updated": rfc2822(now),
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": from_,
        "from_formatted": format_national(from_),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": phone_number_sid,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": None,
        "status": "queued",
        "subresource_uris": {
            name: f"{uri}/{''.join(p.title() for p in name.split('_'))}.json" for name in subresources
        },
        "to": to,
        "to_formatted": format_national(to),
        "trunk_sid": None,
        "uri": f"{uri}.json",
    }


def ended_inbound_call(
    sid: str,
    account_sid: str,
    to: str,
    from_: str,
    phone_number_sid: str | None,
    started: datetime,
    ended: datetime,
    status: str,
    duration: int,
) -> dict[str, Any]:
    """Return a Call resource for an inbound call from `from_` to `to` that rang at `started` and ended at
    `ended` with `status` after `duration` seconds."""
    record = call(sid, account_sid, to, from_, phone_number_sid, started)
    record.update(
        direction="inbound",
        status=status,
        start_time=rfc2822(started),
        end_time=rfc2822(ended),
        duration=str(duration),
    )
    return record


def message(sid: str, account_sid: str, to: str, from_: str, body: str, now: datetime) -> dict[str, Any]:
    """Return a Message resource for an outbound message that has just been queued."""
    uri = f"{account_path(account_sid)}/Messages/{sid}"
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": body,
        "date_created": rfc2822(now),
        "date_sent": None,
        "date_updated": rfc2822(now),
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": from_,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": str(max(1, -(-len(body) // 160))),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }
