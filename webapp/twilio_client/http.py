"""The HTTP client handed to `twilio.rest.Client`: sends Twilio's requests to the configured base URL."""

from __future__ import annotations

import logging
import threading

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from webapp.twilio_client.validation import check_timeout, check_url

TWILIO_API_ORIGIN = "https://api.twilio.com"
"""The origin twilio-python builds every 2010-04-01 API URL on."""


class BaseUrlHttpClient(TwilioHttpClient):
    """twilio-python's HTTP client with our base URL and a (connect, read) timeout on every request.

    The same code then talks to Twilio, the local sandbox or a Prism mock. The last response of each thread is
    kept so that errors can read its headers (`Retry-After`), which the library's exceptions drop.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        logger: logging.Logger | None = None,
    ) -> None:
        check_timeout(connect_timeout, "Twilio connect timeout")
        check_timeout(read_timeout, "Twilio read timeout")
        check_url(base_url, "Twilio API base URL")
        super().__init__(logger=logger or logging.getLogger("twilio.http_client"))
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self._last = threading.local()

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
        """Send the request to our base URL with our (connect, read) timeout.

        `timeout` is ignored: the library passes none, and ours is a tuple its own check cannot compare.
        """
        if url.startswith(TWILIO_API_ORIGIN):
            url = self.base_url + url[len(TWILIO_API_ORIGIN) :]
        self._last.response = None
        response = super().request(
            method, url, params, data, headers, auth, timeout=None, allow_redirects=allow_redirects
        )
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
