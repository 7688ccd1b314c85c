"""The password rule for console users, shared by the users page and `users create`."""

from __future__ import annotations

import functools
import gzip
import secrets
from pathlib import Path

PASSWORD_MIN_LENGTH = 12
PASSWORD_RULE = f"At least {PASSWORD_MIN_LENGTH} characters, not the e-mail and not a common password."
"""The rule in one sentence, for the forms that ask for a password."""
COMMON_PASSWORDS_FILE = Path(__file__).with_name("data") / "common-passwords.txt.gz"
"""The 20,000 most common passwords, lower case (from Django's wheel: see data/README.md)."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, read once per process."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def why_password_refused(password: str | None, email: str | None) -> str | None:
    """Return the sentence that says why `password` is refused for the user `email`, or None if it is fine."""
    password = password or ""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Password must be at least {PASSWORD_MIN_LENGTH} characters."
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be the e-mail address."
    if password.lower() in common_passwords():
        return "Password is one of the most common passwords: choose another."
    return None


def generated_password() -> str:
    """A random password that meets the rule (16 URL-safe characters), for `users reset-password` and the
    demo admin."""
    return secrets.token_urlsafe(12)
