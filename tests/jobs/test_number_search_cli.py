"""`numbers search` and `numbers provision --number`: what support staff type to choose and buy one."""

from __future__ import annotations

import pytest

from tests.factories import make_business
from tests.jobs.helpers import count, numbers_of, owned_numbers
from webapp.models import Activity, PhoneNumber


def invoke(runner, *args: str):
    return runner.invoke(args=["numbers", *args])


def test_search_prints_one_number_a_line_e164_first(app, runner, sandbox):
    result = invoke(runner, "search", "--area-code", "718", "--sms", "--limit", "3")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == [
        f"+1718555010{n}  (718) 555-010{n}  Brooklyn, NY  VOICE/SMS/MMS  address required" for n in range(3)
    ]


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["--type", "toll-free", "--contains", "888"], "+18885550100  (888) 555-0100  —  VOICE/SMS/MMS"),
        (["--type", "mobile", "--region", "TX"], "+15125560100  (512) 556-0100  Austin, TX  VOICE/SMS/MMS"),
        (["--postal-code", "98101"], "+12065550100  (206) 555-0100  Seattle, WA  VOICE/SMS/MMS"),
        (["--near", "(512) 555-0199", "--mms"], "+15125550100  (512) 555-0100  Austin, TX  VOICE/SMS/MMS"),
    ],
)
def test_search_filters(app, runner, sandbox, args, first):
    result = invoke(runner, "search", *args)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area-code", "41"], "area code must be 3 digits, the first from 2 to 9"),
        (["--region", "Texas"], "two capital letters"),
        (["--near", "not a number"], "is not a phone number"),
        (["--limit", "31"], "31 is not in the range"),
    ],
)
def test_bad_search_input_is_refused_with_a_sentence(app, runner, sandbox, args, message):
    result = invoke(runner, "search", *args)

    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert sandbox.request_counts() == {}


def test_search_with_twilio_down_says_so_in_one_sentence(app, runner, sandbox):
    app.config.update(TWILIO_MAX_ATTEMPTS=1)
    sandbox.set_faults("503=1.0")

    result = invoke(runner, "search", "--area-code", "415")

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: Twilio is not answering right now, so no numbers can be shown; nothing was bought."
    )


def test_provision_with_number_buys_that_number(app, runner, sandbox, start_worker):
    business = make_business(name="Acme Plumbing")
    start_worker()

    result = invoke(runner, "provision", "Acme Plumbing", "--number", "(303) 555-0107", "--wait")

    assert result.exit_code == 0, result.output
    [number] = numbers_of(business.id)
    assert number.e164 == "+13035550107"


def test_provision_with_a_number_gone_exits_non_zero_and_buys_nothing(app, runner, sandbox, start_worker):
    business = make_business(name="Acme Plumbing")
    start_worker()

    result = invoke(runner, "provision", "Acme Plumbing", "--number", "+15005550000", "--wait")

    assert result.exit_code == 1
    assert "That number is no longer available — search again." in result.output
    assert numbers_of(business.id) == [] and sandbox.owned_count() == 0


def test_release_by_number_waits_and_reports(app, runner, sandbox, start_worker):
    first, second = owned_numbers(2)
    start_worker()

    result = invoke(runner, "release", first.e164, second.twilio_sid, "--reason", "Moved away", "--wait")

    assert result.exit_code == 0, result.output
    assert result.output.count("release succeeded") == 2
    assert sandbox.owned_numbers() == [] and count(PhoneNumber) == 0


def test_release_of_an_unknown_number_changes_nothing(app, runner, sandbox):
    owned_numbers(1)

    result = invoke(runner, "release", "+14155550199")

    assert result.exit_code == 1
    assert "No business has the number '+14155550199'." in result.output
    assert count(PhoneNumber) == 1 and count(Activity) == 0


def test_move_and_replace_from_the_command_line(app, runner, sandbox, start_worker):
    [number] = owned_numbers(1)
    old_e164 = number.e164
    target = make_business(name="New Owner")
    start_worker()

    moved = invoke(runner, "move", old_e164, "New Owner", "--wait")
    replaced = invoke(runner, "replace", old_e164, "--area-code", "303", "--wait")

    assert moved.exit_code == 0, moved.output
    assert replaced.exit_code == 0, replaced.output
    [new] = numbers_of(target.id)
    assert new.area_code == "303" and new.e164 != old_e164
    assert [n["phone_number"] for n in sandbox.owned_numbers()] == [new.e164]


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["search", "--help"], "Nothing is bought here"),
        (["release", "--help"], "only through its own Console"),
        (["move", "--help"], "must have no number"),
        (["replace", "--help"], "keeps NUMBER"),
    ],
)
def test_lifecycle_commands_explain_themselves(app, runner, args, phrase):
    result = invoke(runner, *args)
    assert result.exit_code == 0 and phrase in " ".join(result.output.split())
