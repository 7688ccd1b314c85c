"""What a page shows of a job's progress while it runs; the job records its step, the page names it."""

from __future__ import annotations

STEP_NAMES = ("Searching", "Buying", "Setting the webhook", "Recording")
"""Progress steps as the console names them: look for an earlier purchase, buy, check (and if needed set)
the webhook, record. The Activity's `progress_done` is the index of the step under way."""
