"""Finding a business from what a person types: its UUID or its exact name (the CLI and the console)."""

from __future__ import annotations

import uuid

from webapp.extensions import db
from webapp.models.base import ValidationError
from webapp.models.business import Business


def parse_uuid(text: str) -> uuid.UUID | None:
    """Return `text` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def find_business(text: str) -> Business:
    """Return the business whose UUID or exact name is `text`.

    Raises:
        ValidationError: none, or several with that name.
    """
    text = text.strip()
    business_id = parse_uuid(text)
    if business_id is not None:
        business = db.session.get(Business, business_id)
    else:
        matches = db.session.scalars(db.select(Business).filter_by(name=text).limit(5)).all()
        if len(matches) > 1:
            ids = ", ".join(str(match.id) for match in matches)
            raise ValidationError(
                "business", f"Several businesses are named {text!r}; give the UUID of one: {ids}."
            )
        business = matches[0] if matches else None
    if business is None:
        raise ValidationError("business", f"No business has the id or name {text!r}.")
    return business
