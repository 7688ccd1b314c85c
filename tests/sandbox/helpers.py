"""Small helpers for sandbox tests: raw HTTP calls where the twilio library hides what we check."""

from __future__ import annotations

from typing import Any

import requests

from harness.sandbox import SandboxProcess

ERROR_KEYS = {"code", "message", "more_info", "status"}
"""The keys of every Twilio error body, no more, no fewer."""


def account_url(box: SandboxProcess, path: str, account_sid: str | None = None) -> str:
    """Return the full URL of `path` (e.g. `/IncomingPhoneNumbers.json`) under the sandbox's account."""
    return f"{box.base_url}/2010-04-01/Accounts/{account_sid or box.account_sid}{path}"


def api_request(
    box: SandboxProcess,
    method: str,
    path: str,
    auth: tuple[str, str] | None = None,
    account_sid: str | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one Twilio API request with the sandbox's credentials (or `auth`) and return the answer.

    `account_sid` puts another account in the path (the credentials stay the sandbox's).
    """
    kwargs.setdefault("timeout", 5)
    url = account_url(box, path, account_sid)
    return requests.request(method, url, auth=auth or (box.account_sid, box.auth_token), **kwargs)


def buy(box: SandboxProcess, **params: str) -> requests.Response:
    """Buy a number with raw form parameters (`PhoneNumber=...`, `AreaCode=...`, `FriendlyName=...`)."""
    return api_request(box, "POST", "/IncomingPhoneNumbers.json", data=params)


def add_alerts(box: SandboxProcess, alerts: list[dict[str, str]]) -> None:
    """Record alerts at the sandbox as if Twilio had raised them (`resource_sid`, `date_generated`...)."""
    requests.post(
        f"{box.base_url}/_sandbox/alerts",
        json={"alerts": alerts},
        auth=(box.account_sid, box.auth_token),
        timeout=60,
    ).raise_for_status()
