"""Background jobs on RQ: provisioning numbers and keeping their voice webhooks in sync.

- `enqueue`: the one entry point for the console and the CLI; creates the `Activity` and its RQ job.
- `provision`, `webhooks`: the jobs (plain functions RQ imports by path; they take an Activity id).
- `runner`, `tracking`, `failures`: how a job keeps its Activity row accurate, retries transient Twilio
  failures with RQ's `Retry`, and records failures, also of jobs whose worker died.
- `twilio_state`: what we record about a number from Twilio's answer, and whether its webhook drifted.
- `orphans`: numbers bought at Twilio that no row records, and adopting them.
- `worker`: the worker class and `run_worker`, used by `flask --app wsgi worker`.
"""
