"""The Twilio client: typed operations over twilio-python, with retries, reconciliation and circuit breakers.

Each operation checks its arguments before any I/O, then runs through its circuit breaker (one per operation,
state in Redis) inside a bounded retry loop. Library exceptions are caught here and nowhere else.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, TypeVar

import pybreaker
from redis import Redis
from twilio.rest import Client

from webapp.metrics import twilio as twilio_metrics
from webapp.twilio_client.addresses import EmergencyAddresses
from webapp.twilio_client.breakers import Breakers, breaker_name
from webapp.twilio_client.concurrency import AccountConcurrency
from webapp.twilio_client.configuration import NumberConfiguration
from webapp.twilio_client.error_mapping import LIBRARY_ERRORS, to_api_error
from webapp.twilio_client.errors import ApiError, CircuitOpen, NotFound, NumberUnavailable, TwilioUnavailable
from webapp.twilio_client.http import BaseUrlHttpClient
from webapp.twilio_client.models import (
    AvailableNumber,
    Call,
    CallPage,
    Message,
    NumberPage,
    NumberPrices,
    SearchArea,
    TwilioNumber,
)
from webapp.twilio_client.monitor import Alert, CallEvent, MonitorEvent
from webapp.twilio_client.retry import RetryPolicy
from webapp.twilio_client.settings import TwilioSettings
from webapp.twilio_client.validation import (
    check_area_code,
    check_contains,
    check_country,
    check_distance,
    check_e164,
    check_friendly_name,
    check_limit,
    check_number_type,
    check_postal_code,
    check_region,
    check_sid,
    check_url,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

PROVISION_CANDIDATES = 5
"""How many searched numbers `provision_number` tries, in case another buyer takes one first (21422)."""

PROVISION_SEARCH = 30
"""How many numbers `provision_number` asks a search for; it tries `PROVISION_CANDIDATES` of them at random,
so that purchases sent side by side (a batch of provisions) do not all race for the first few."""

LIST_PAGE_SIZE = 1000
"""Twilio's largest page of a list: `list_numbers_page` asks for it."""

SLOT_LEASE_MARGIN = 2.0
"""Seconds a request slot's lease outlasts the longest request (connect plus read timeout)."""


def load_library() -> None:
    """Import the parts of twilio-python the client uses, which the library itself imports on first use.

    A forking worker calls this once before it forks, so that each work-horse does not import them again
    (some 90 modules, ~25 ms). No request is sent.
    """
    twilio = Client(f"AC{'0' * 32}", "not-a-token")
    for api in (
        twilio.incoming_phone_numbers,
        twilio.available_phone_numbers("US"),
        twilio.calls,
        twilio.messages,
        twilio.monitor.v1.alerts,
        twilio.monitor.v1.events,
        twilio.addresses,
    ):
        logger.debug("Loaded %s", type(api).__name__)


class TwilioClient(EmergencyAddresses):
    """Switchboard's Twilio operations; every method returns our dataclasses or raises `ApiError`.

    Args:
        settings: credentials, base URL, timeouts, retry and breaker limits.
        redis: where the circuit breakers and the account's concurrency limit keep their shared state.
        sleep, jitter: the retry loop's clock and randomness (tests pass fast, recorded ones).
    """

    def __init__(
        self,
        settings: TwilioSettings,
        redis: Redis,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        check_sid(settings.account_sid, "AC", "account")
        self.settings = settings
        self.concurrency = AccountConcurrency(
            redis,
            settings.account_sid,
            settings.max_concurrency,
            lease_seconds=settings.connect_timeout + settings.read_timeout + SLOT_LEASE_MARGIN,
            wait_seconds=settings.connect_timeout + settings.read_timeout,
        )
        self._http = BaseUrlHttpClient(
            settings.api_base_url,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            slots=self.concurrency,
        )
        self._twilio = Client(settings.account_sid, settings.auth_token, http_client=self._http)
        self._retry = RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_seconds=settings.backoff_seconds,
            retry_after_cap=settings.retry_after_cap,
            sleep=sleep,
            jitter=jitter,
        )
        self._breakers = Breakers(
            redis, fail_max=settings.breaker_fail_max, reset_timeout=settings.breaker_reset_timeout
        )

    def __repr__(self) -> str:
        return f"<TwilioClient {self.settings.account_sid} via {self.settings.api_base_url}>"

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._http.close()

    def __enter__(self) -> TwilioClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Numbers to buy

    def search_available_numbers(
        self,
        country: str = "US",
        area_code: str | None = None,
        contains: str | None = None,
        voice: bool | None = True,
        sms: bool | None = None,
        limit: int = 20,
        *,
        number_type: str = "local",
        mms: bool | None = None,
        in_region: str | None = None,
        in_postal_code: str | None = None,
        near_number: str | None = None,
        distance: int | None = None,
    ) -> list[AvailableNumber]:
        """Return numbers Twilio offers to buy (local, toll-free or mobile); an empty list when it has none.

        Twilio answers at most about 30 whatever `limit` asks for: narrow the filters to see others.
        `distance` is the miles around `near_number` (Twilio's default: 25).
        """
        check_country(country)
        check_number_type(number_type)
        check_area_code(area_code)
        check_contains(contains)
        check_region(in_region)
        check_postal_code(in_postal_code)
        if near_number is not None:
            check_e164(near_number, "number to search near")
        check_distance(distance, near_number)
        check_limit(limit)
        filters = {
            "area_code": area_code,
            "contains": contains,
            "voice_enabled": voice,
            "sms_enabled": sms,
            "mms_enabled": mms,
            "in_region": in_region,
            "in_postal_code": in_postal_code,
            "near_number": near_number,
            "distance": distance,
        }
        filters = {key: value for key, value in filters.items() if value is not None}
        country_numbers = self._twilio.available_phone_numbers(country)
        offered = {
            "local": country_numbers.local,
            "toll-free": country_numbers.toll_free,
            "mobile": country_numbers.mobile,
        }[number_type]
        return self._call(
            "search_available_numbers",
            lambda: [AvailableNumber.from_resource(found) for found in offered.list(limit=limit, **filters)],
        )

    def purchase_number(
        self, phone_number: str, friendly_name: str, configuration: NumberConfiguration
    ) -> TwilioNumber:
        """Buy `phone_number` and return it, every managed field set (`configuration.py`).

        Twilio has no idempotency key: after an ambiguous failure the purchase is looked up by its
        FriendlyName (and phone number) and adopted if Twilio has it; only otherwise is it sent again.

        Raises:
            NumberUnavailable: the number cannot be bought (21422).
            TwilioUnavailable: Twilio failed; when `ambiguous`, the number may have been bought.
        """
        check_e164(phone_number)
        return self._purchase(
            {"phone_number": phone_number},
            friendly_name,
            configuration,
            reconcile=lambda: self._find_purchase(phone_number, friendly_name),
        )

    def purchase_in_area_code(
        self,
        area_code: str,
        friendly_name: str,
        configuration: NumberConfiguration,
        *,
        owned: Collection[str] = (),
    ) -> TwilioNumber:
        """Buy any number in `area_code` in one request (Twilio's `AreaCode`), every managed field set.

        After an ambiguous failure the purchase is looked up by its FriendlyName and adopted if Twilio has
        it; `owned` are the SIDs of numbers that carried that name before (a replaced number), never
        taken for the purchase.

        Raises:
            NumberUnavailable: the area code has no numbers for sale (21452).
            TwilioUnavailable: Twilio failed; when `ambiguous`, a number may have been bought.
        """
        check_area_code(area_code)
        return self._purchase(
            {"area_code": area_code},
            friendly_name,
            configuration,
            reconcile=lambda: self._find_purchase(None, friendly_name, owned),
        )

    def _purchase(
        self,
        which: dict[str, str],
        friendly_name: str,
        configuration: NumberConfiguration,
        *,
        reconcile: Callable[[], TwilioNumber | None],
    ) -> TwilioNumber:
        check_friendly_name(friendly_name)
        params = {**which, "friendly_name": friendly_name, **configuration.request_params()}
        number = self._call(
            "purchase_number",
            lambda: TwilioNumber.from_resource(self._twilio.incoming_phone_numbers.create(**params)),
            idempotent=False,
            reconcile=reconcile,
        )
        logger.info("Bought %s as %s (%r)", number.phone_number, number.sid, number.friendly_name)
        return number

    def _find_purchase(
        self, phone_number: str | None, friendly_name: str, owned: Collection[str] = ()
    ) -> TwilioNumber | None:
        # The friendly name narrows the list; the phone number, when known, tells ours from a business's
        # other numbers.
        what = phone_number or f"a number named {friendly_name}"
        try:
            named = self.find_numbers(friendly_name=friendly_name)
        except ApiError as error:
            raise TwilioUnavailable(
                f"The purchase of {what} may have gone through, and Twilio could not be asked: "
                "look for the number on the account before buying again.",
                ambiguous=True,
            ) from error
        return next((n for n in named if phone_number in (None, n.phone_number) and n.sid not in owned), None)

    def provision_number(
        self,
        area_code: str | None = None,
        *,
        friendly_name: str,
        configuration: NumberConfiguration,
        owned: Collection[str] = (),
        area: SearchArea | None = None,
    ) -> TwilioNumber:
        """Buy a voice number: in `area_code` when given, in one request (`purchase_in_area_code`, which
        is passed `owned`); else search the US (only `area` when given: near a number, or a state) and buy
        one of those offered.

        Raises:
            NumberUnavailable: nothing to buy there; the caller decides about another place.
        """
        check_area_code(area_code)
        check_friendly_name(friendly_name)
        configuration.request_params()  # checks the URLs before any request
        where = f"in area code {area_code}" if area_code else (area.where if area else "in the US")
        filters = area.filters() if area else {}

        def provision() -> TwilioNumber:
            if area_code:
                try:
                    return self.purchase_in_area_code(area_code, friendly_name, configuration, owned=owned)
                except NumberUnavailable:
                    raise NumberUnavailable(f"Twilio had no numbers available {where}.") from None
            offered = self.search_available_numbers(voice=True, limit=PROVISION_SEARCH, **filters)
            for candidate in random.sample(offered, min(len(offered), PROVISION_CANDIDATES)):
                try:
                    return self.purchase_number(candidate.phone_number, friendly_name, configuration)
                except NumberUnavailable:
                    logger.info(
                        "%s was taken before we could buy it; trying the next", candidate.phone_number
                    )
            reason = "had no numbers available" if not offered else "sold the numbers it offered to others"
            raise NumberUnavailable(f"Twilio {reason} {where}.")

        return self._guarded("provision_number", provision)

    # Numbers we own

    def update_number_webhook(
        self, number_sid: str, configuration: NumberConfiguration, *, clear_routing: bool = False
    ) -> TwilioNumber:
        """Set every managed field of the number in one request; return the number.

        `clear_routing` also clears its voice application and SIP trunk (see `request_params`).
        """
        check_sid(number_sid, "PN", "phone number")
        params = configuration.request_params(clear_routing=clear_routing)
        number = self._call(
            "update_number_webhook",
            lambda: TwilioNumber.from_resource(
                self._twilio.incoming_phone_numbers(number_sid).update(**params)
            ),
        )
        logger.info("Configuration of %s set (voice URL %s)", number_sid, configuration.voice_url)
        return number

    def update_friendly_name(self, number_sid: str, friendly_name: str) -> TwilioNumber:
        """Rename the number at Twilio (provision and `numbers orphans` read the owner from it); return it."""
        check_sid(number_sid, "PN", "phone number")
        check_friendly_name(friendly_name)
        number = self._call(
            "update_friendly_name",
            lambda: TwilioNumber.from_resource(
                self._twilio.incoming_phone_numbers(number_sid).update(friendly_name=friendly_name)
            ),
        )
        logger.info("FriendlyName of %s set to %r", number_sid, friendly_name)
        return number

    def fetch_number(self, sid: str) -> TwilioNumber:
        """Return the number with this SID. Raises `NotFound` if the account does not own it."""
        check_sid(sid, "PN", "phone number")
        return self._call(
            "fetch_number",
            lambda: TwilioNumber.from_resource(self._twilio.incoming_phone_numbers(sid).fetch()),
        )

    def find_numbers(
        self, friendly_name: str | None = None, phone_number: str | None = None
    ) -> list[TwilioNumber]:
        """Return the account's numbers with this exact friendly name and/or phone number (all pages)."""
        if friendly_name is None and phone_number is None:
            raise ValueError("Give a friendly name or a phone number to look for.")
        filters: dict[str, Any] = {}
        if friendly_name is not None:
            filters["friendly_name"] = check_friendly_name(friendly_name)
        if phone_number is not None:
            filters["phone_number"] = check_e164(phone_number)
        return self._call(
            "find_numbers",
            lambda: [
                TwilioNumber.from_resource(n) for n in self._twilio.incoming_phone_numbers.list(**filters)
            ],
        )

    def list_numbers(self) -> list[TwilioNumber]:
        """Return every number on the account (all pages)."""
        return self._call(
            "list_numbers",
            lambda: [TwilioNumber.from_resource(n) for n in self._twilio.incoming_phone_numbers.list()],
        )

    def list_numbers_page(self, page_url: str | None = None) -> NumberPage:
        """Return one page of the account's numbers, the largest Twilio serves (1,000), and the next
        page's URL: the first page without `page_url`, else the page it names (a `next_page_url`)."""
        numbers = self._twilio.incoming_phone_numbers

        def fetch_page() -> NumberPage:
            page = numbers.get_page(page_url) if page_url else numbers.page(page_size=LIST_PAGE_SIZE)
            return NumberPage([TwilioNumber.from_resource(n) for n in page], page.next_page_url)

        return self._call("list_numbers", fetch_page)

    def release_number(self, sid: str) -> None:
        """Release the number back to Twilio.

        A release whose answer was lost is reconciled by fetching the number: a 404 means it went through.
        Raises `NotFound` if the account does not own it, except on a retry: then an earlier attempt whose
        answer was lost released it.
        """
        check_sid(sid, "PN", "phone number")
        attempts = 0

        def release() -> bool:
            nonlocal attempts
            attempts += 1
            try:
                self._twilio.incoming_phone_numbers(sid).delete()
            except LIBRARY_ERRORS as error:
                mapped = self._to_api_error(error)
                if isinstance(mapped, NotFound) and attempts > 1:
                    return True
                raise mapped from error
            return True

        self._call("release_number", release, reconcile=lambda: self._released(sid))
        logger.info("Released %s", sid)

    def _released(self, sid: str) -> bool | None:
        # True when Twilio no longer has the number; None (send the DELETE again) when it does or cannot say.
        try:
            self.fetch_number(sid)
        except NotFound:
            return True
        except ApiError:
            return None
        return None

    # Prices

    def fetch_number_prices(self, country: str = "US") -> NumberPrices:
        """Return what each type of phone number costs a month in `country` (Twilio's Pricing API)."""
        check_country(country)
        return self._call(
            "fetch_number_prices",
            lambda: NumberPrices.from_resource(
                self._twilio.pricing.v1.phone_numbers.countries(country).fetch()
            ),
        )

    # Calls and messages

    def make_call(self, to: str, from_: str, url: str | None = None, *, twiml: str | None = None) -> Call:
        """Place a call from one of our numbers; Twilio fetches TwiML from `url`, or plays `twiml`.

        Not sent twice after an ambiguous failure: a call cannot be taken back.
        """
        check_e164(to, "number to call")
        check_e164(from_, "number to call from")
        if (url is None) == (twiml is None):
            raise ValueError("Give either a TwiML URL or TwiML to play, not both.")
        if url is not None:
            check_url(url, "TwiML URL")
        instructions = {"url": url} if url is not None else {"twiml": twiml}
        call = self._call(
            "make_call",
            lambda: Call.from_resource(self._twilio.calls.create(to=to, from_=from_, **instructions)),
            idempotent=False,
        )
        logger.info("Placed call %s from %s", call.sid, from_)
        return call

    def get_call(self, sid: str) -> Call:
        """Return the call with this SID."""
        check_sid(sid, "CA", "call")
        return self._call("get_call", lambda: Call.from_resource(self._twilio.calls(sid).fetch()))

    # Health: Monitor alerts and events, calls and messages to a number

    def list_alerts(self, since: datetime | None = None, *, page_size: int = 1000) -> list[Alert]:
        """Return the account's alerts generated since `since` (all pages, newest first).

        Twilio cannot filter alerts by resource: match `resource_sid` and `request_url` yourself.
        """
        check_limit(page_size)
        filters = {"start_date": since} if since is not None else {}
        alerts = self._twilio.monitor.v1.alerts
        return self._call(
            "list_alerts",
            lambda: [Alert.from_resource(a) for a in alerts.list(page_size=page_size, **filters)],
        )

    def fetch_alert(self, sid: str) -> Alert:
        """Return one alert with what the webhook answered (`response_body`)."""
        check_sid(sid, "NO", "alert")
        return self._call(
            "fetch_alert", lambda: Alert.from_resource(self._twilio.monitor.v1.alerts(sid).fetch())
        )

    def list_events(
        self, number_sid: str, since: datetime | None = None, limit: int = 50
    ) -> list[MonitorEvent]:
        """Return the latest changes to a number: who made them, from where (API, Console), which fields."""
        check_sid(number_sid, "PN", "phone number")
        check_limit(limit)
        filters: dict[str, Any] = {"resource_sid": number_sid}
        if since is not None:
            filters["start_date"] = since
        events = self._twilio.monitor.v1.events
        return self._call(
            "list_events",
            lambda: [MonitorEvent.from_resource(e) for e in events.list(limit=limit, **filters)],
        )

    def list_calls(
        self,
        to: str | None = None,
        from_: str | None = None,
        started_after: datetime | None = None,
        limit: int | None = 20,
    ) -> list[Call]:
        """Return the latest calls (to and/or from a number, started on or after a time); `limit` None
        reads every page."""
        filters: dict[str, Any] = {}
        if to is not None:
            filters["to"] = check_e164(to, "number called")
        if from_ is not None:
            filters["from_"] = check_e164(from_, "calling number")
        if started_after is not None:
            filters["start_time_after"] = started_after
        if limit is not None:
            check_limit(limit)
        page_size = limit or 1000
        return self._call(
            "list_calls",
            lambda: [
                Call.from_resource(c)
                for c in self._twilio.calls.list(limit=limit, page_size=page_size, **filters)
            ],
        )

    def list_calls_page(self, started_after: datetime, page_url: str | None = None) -> CallPage:
        """Return one page of the account's calls started on or after `started_after`, 1,000 a page
        (Twilio's `StartTime>`), and the next page's URL: the first page without `page_url`, else the page it
        names (a `next_page_url`, which carries the filter)."""
        calls = self._twilio.calls

        def fetch_page() -> CallPage:
            page = (
                calls.get_page(page_url)
                if page_url
                else calls.page(start_time_after=started_after, page_size=LIST_PAGE_SIZE)
            )
            return CallPage([Call.from_resource(c) for c in page], page.next_page_url)

        return self._call("list_calls", fetch_page)

    def list_messages(self, to: str, limit: int = 20) -> list[Message]:
        """Return the latest messages to a number."""
        check_e164(to, "number texted")
        check_limit(limit)
        return self._call(
            "list_messages",
            lambda: [Message.from_resource(m) for m in self._twilio.messages.list(to=to, limit=limit)],
        )

    def list_call_events(self, call_sid: str) -> list[CallEvent]:
        """Return the webhook requests Twilio made during a call, each with the answer's status and time."""
        check_sid(call_sid, "CA", "call")
        return self._call(
            "list_call_events",
            lambda: [CallEvent.from_resource(e) for e in self._twilio.calls(call_sid).events.list()],
        )

    # Plumbing

    def _call(
        self,
        operation: str,
        request: Callable[[], T],
        *,
        idempotent: bool = True,
        reconcile: Callable[[], T | None] | None = None,
    ) -> T:
        """Run one library request through the operation's breaker, retrying transient failures."""
        return self._retry.run(
            operation,
            lambda: self._guarded(operation, lambda: self._translated(request)),
            idempotent=idempotent,
            reconcile=reconcile,
        )

    def _guarded(self, operation: str, action: Callable[[], T]) -> T:
        with twilio_metrics.timed_attempt(operation):
            try:
                return self._breakers[operation].call(action)
            except pybreaker.CircuitBreakerError:
                logger.warning("Circuit breaker %s is open; nothing sent", breaker_name(operation))
                raise CircuitOpen(breaker_name(operation)) from None

    def _translated(self, request: Callable[[], T]) -> T:
        try:
            return request()
        except LIBRARY_ERRORS as error:
            raise self._to_api_error(error) from error

    def _to_api_error(self, error: BaseException) -> ApiError:
        return to_api_error(error, self._http.last_response, secret=self.settings.auth_token)
