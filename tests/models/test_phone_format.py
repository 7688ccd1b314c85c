"""Phone formats on their own, no database: parsing to E.164, display, area codes, and the fields named."""

from __future__ import annotations

import pytest

from webapp.models import ValidationError
from webapp.models.phone_format import check_area_code, format_national, normalise_e164, try_normalise_e164


@pytest.mark.parametrize("text", ["(415) 555-1234", "  +1 415 555 1234  "])
def test_a_us_number_in_any_format_becomes_e164(text: str) -> None:
    assert normalise_e164(text) == "+14155551234"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Phone number is required."),
        ("call me", "'call me' is not a phone number."),
        ("+44 20 7946 0958", "'+44 20 7946 0958' is not a US number: Switchboard handles +1 numbers only."),
        ("415555123", "'415555123' must have 10 digits after +1, like +14155551234."),
    ],
)
def test_a_refused_number_names_the_field(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        normalise_e164(text, "near_number")

    assert (refused.value.field, str(refused.value)) == ("near_number", message)


def test_the_field_is_e164_unless_named() -> None:
    with pytest.raises(ValidationError) as refused:
        normalise_e164("")

    assert refused.value.field == "e164"


@pytest.mark.parametrize(("text", "e164"), [("415.555.1234", "+14155551234"), ("Acme Plumbing", None)])
def test_a_search_term_is_a_number_or_none(text: str, e164: str | None) -> None:
    assert try_normalise_e164(text) == e164


@pytest.mark.parametrize(
    ("e164", "shown"),
    [("+14155551234", "(415) 555-1234"), ("+442079460958", "+442079460958"), ("", ""), (None, "")],
)
def test_a_us_number_is_shown_the_american_way_and_anything_else_as_it_is(
    e164: str | None, shown: str
) -> None:
    assert format_national(e164) == shown


def test_an_area_code_is_kept_when_well_formed() -> None:
    assert check_area_code("415") == "415"


def test_a_malformed_area_code_is_refused_in_the_fields_words() -> None:
    with pytest.raises(ValidationError) as default:
        check_area_code("115")
    with pytest.raises(ValidationError) as named:
        check_area_code("41", "preferred_area_code", "Preferred area code")

    assert (default.value.field, str(default.value)) == (
        "area_code",
        "Area code must be 3 digits, the first from 2 to 9 (e.g. 415).",
    )
    assert named.value.field == "preferred_area_code"
    assert str(named.value).startswith("Preferred area code must be")
