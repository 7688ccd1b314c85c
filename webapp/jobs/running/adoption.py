"""Adopting a number without clobbering: our configuration is set on it, unless its calls go to someone
else (a voice URL that is not ours, an application or a trunk), which takes a confirmation (`force`)."""

from __future__ import annotations

from webapp.jobs.running.twilio_state import expected_for
from webapp.models import Business
from webapp.twilio_client import TwilioClient, TwilioNumber, foreign_differences, routes_elsewhere


class ForeignConfiguration(Exception):
    """The number's calls go to someone else; adopting it would change these fields."""

    def __init__(self, phone_number: str, phrases: list[str]) -> None:
        self.phrases = phrases
        super().__init__(
            f"{phone_number} is set up for someone else; adopting it would change: {'; '.join(phrases)}."
        )


def configure_adopted(
    client: TwilioClient, number: TwilioNumber, business: Business, *, force: bool
) -> TwilioNumber:
    """Return the number with the business's configuration set at Twilio (in one update, only if it
    differs).

    Raises:
        ForeignConfiguration: its calls go to someone else and `force` is not given; nothing was changed.
        ApiError: Twilio refused the update.
    """
    expected = expected_for(business)
    if not expected.differences(number):
        return number
    if not force and (foreign := foreign_differences(expected, number)):
        raise ForeignConfiguration(number.phone_number, [difference.phrase() for difference in foreign])
    return client.update_number_webhook(number.sid, expected, clear_routing=routes_elsewhere(number))
