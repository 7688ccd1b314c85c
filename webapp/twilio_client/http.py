"""The HTTP client handed to `twilio.rest.Client`: sends Twilio's requests to the configured base URL."""

from __future__ import annotations

import logging
import re
import threading
from contextlib import nullcontext

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from webapp.metrics import twilio as twilio_metrics
from webapp.twilio_client.concurrency import AccountConcurrency
from webapp.twilio_client.validation import check_timeout, check_url

TWILIO_API_ORIGIN = "https://api.twilio.com"
"""The default base URL: Twilio itself, whose hosts are then left as the library builds them."""

TWILIO_ORIGIN = re.compile(r"^https://(?:api|monitor|pricing)\.twilio\.com(?=/)")
"""The origins twilio-python builds its URLs on: the 2010-04-01 API, Monitor v1 and Pricing v1. Their paths
(`/2010-04-01/...`, `/v1/Alerts`, `/v1/PhoneNumbers/...`) do not collide, so one base URL serves them all."""


class BaseUrlHttpClient(TwilioHttpClient):
    """twilio-python's HTTP client with our base URL and a (connect, read) timeout on every request.

    With any base URL but Twilio's own, requests to each of Twilio's hosts that Switchboard uses go to it, so
    the sandbox or a Prism mock answers them all.

    The same code then talks to Twilio, the local sandbox or a Prism mock. The last response of each thread is
    kept so that errors can read its headers (`Retry-After`), which the library's exceptions drop.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        slots: AccountConcurrency | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        check_timeout(connect_timeout, "Twilio connect timeout")
        check_timeout(read_timeout, "Twilio read timeout")
        check_url(base_url, "Twilio API base URL")
        super().__init__(logger=logger or logging.getLogger("twilio.http_client"))
        self.base_url = base_url.rstrip("/")
        self.redirects = self.base_url != TWILIO_API_ORIGIN
        self.timeout = (connect_timeout, read_timeout)
        self._last = threading.local()
        self.slots = slots

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send the request to our base URL with our (connect, read) timeout, holding one of the account's
        request slots (`slots`) while it is on the wire.

        `timeout` is ignored: the library passes none, and ours is a tuple its own check cannot compare.
        """
        if self.redirects:
            url = TWILIO_ORIGIN.sub(lambda _origin: self.base_url, url, count=1)
        self._last.response = None
        with self.slots.slot() if self.slots else nullcontext(lambda status: None) as answered:
            response = super().request(
                method, url, params, data, headers, auth, timeout=None, allow_redirects=allow_redirects
            )
            answered(response.status_code)
        twilio_metrics.note_answer(response.headers)
        self._last.response = response
        return response

    @property
    def last_response(self) -> Response | None:
        """The response to this thread's latest request, or None when it got no answer."""
        return getattr(self._last, "response", None)

    def close(self) -> None:
        """Close the pooled connections."""
        if self.session is not None:
            self.session.close()
