"""The WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`."""

import sys

from webapp import create_app
from webapp.config import SettingsError

try:
    app = create_app()
except SettingsError as error:
    sys.exit(f"switchboard: {error}")
