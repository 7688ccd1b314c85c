"""gunicorn's settings for Switchboard, read from the working directory by `gunicorn wsgi:app`: a worker's
metrics bookkeeping when it exits, and an access log without `/metrics` scrapes
(`webapp/metrics/gunicorn.py`).
"""

from webapp.metrics.gunicorn import AccessLogWithoutScrapes, child_exit

logger_class = AccessLogWithoutScrapes
__all__ = ["child_exit", "logger_class"]
