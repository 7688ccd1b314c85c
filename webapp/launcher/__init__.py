"""`make run` (`python -m webapp.launcher`): starts what the console needs locally, each only when needed
(an embedded Redis, the Twilio sandbox, a worker, the web server), and stops them together."""
