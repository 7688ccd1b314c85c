"""The errors the jobs package raises; each message is a sentence a support agent can act on."""

from __future__ import annotations


class QueueUnavailable(Exception):
    """The job queue (Redis) did not answer, so nothing was started and nothing was recorded."""

    def __init__(self) -> None:
        super().__init__(
            "The job queue is not answering, so nothing was started. Try again in a minute; "
            "if it keeps failing, tell an engineer that Redis is down."
        )


class JobFailed(Exception):
    """A job cannot succeed, and trying again as it stands would not help; the message says why.

    Never retried by RQ; the Activity records the message.
    """
