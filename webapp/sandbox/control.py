"""The sandbox's own control endpoints under `/_sandbox/` (see the package docstring for the API)."""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Response, jsonify, request

from webapp.sandbox import emergency, errors
from webapp.sandbox.errors import TwilioError
from webapp.sandbox.faults import FaultSpecError, parse_faults
from webapp.sandbox.monitor import new_alert, parse_date, record_number_change
from webapp.sandbox.numbers import parse_number_settings
from webapp.sandbox.pool import MAX_POOL_SIZE
from webapp.sandbox.state import MAX_CONCURRENCY, EmergencySettings, SandboxState, current_state
from webapp.sandbox.voice import record_outside_call

bp = Blueprint("control", __name__, url_prefix="/_sandbox")

RESET_SCOPES = ("counts", "state", "all")

RING_WAIT_SECONDS = 10.0
"""Longer than a ring's connect and read timeouts together (`voice.py`)."""


def bad_request(message: str) -> TwilioError:
    """Return a 400 answer for a malformed control request."""
    return TwilioError(400, errors.INVALID_PARAMETER, message)


def whole_number(body: dict[str, Any], key: str, low: int, high: int) -> int:
    """Return `body[key]` if it is a whole number in [low, high].

    Raises:
        TwilioError: it is not.
    """
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_request(f"{key} must be a whole number from {low} to {high}, got {value!r}.")
    return value


def json_body() -> dict[str, Any]:
    """Return the request's JSON object.

    Raises:
        TwilioError: the body is not a JSON object.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("Send a JSON object (Content-Type: application/json).")
    return body


def faults_answer(state: SandboxState) -> Response:
    """Return the fault settings in force."""
    return jsonify(
        faults=state.faults.plan.describe(),
        latency_ms=state.latency_ms,
        seed=state.faults.seed,
        max_concurrency=state.traffic.max_concurrency,
    )


@bp.get("/health")
def health() -> Response:
    """Answer that the sandbox is up, with its process id (so a starter knows it reached its own child)."""
    return jsonify(pid=os.getpid())


@bp.get("/faults")
def show_faults() -> Response:
    """Return the faults, latency and seed in force."""
    return faults_answer(current_state())


@bp.put("/faults")
def change_faults() -> Response:
    """Change any of `faults` (`--faults` text, "" for none), `latency_ms`, `seed` (restarts the draw),
    `max_concurrency` (0: no cap)."""
    state = current_state()
    body = json_body()
    unknown = set(body) - {"faults", "latency_ms", "seed", "max_concurrency"}
    if unknown:
        raise bad_request(f"Unknown keys {sorted(unknown)}: use faults, latency_ms, seed, max_concurrency.")
    try:
        plan = parse_faults(body["faults"]) if "faults" in body else state.faults.plan
    except (FaultSpecError, AttributeError) as error:
        raise bad_request(f"faults: {error}") from None
    seed = whole_number(body, "seed", 0, 2**63) if body.get("seed") is not None else None
    latency = whole_number(body, "latency_ms", 0, 600_000) if "latency_ms" in body else state.latency_ms
    cap = state.traffic.max_concurrency
    if "max_concurrency" in body:
        cap = whole_number(body, "max_concurrency", 0, MAX_CONCURRENCY)
    state.faults.replace(plan, seed, reseed="seed" in body)
    state.latency_ms = latency
    state.traffic.max_concurrency = cap
    return faults_answer(state)


@bp.get("/requests")
def request_counts() -> Response:
    """Return how many Twilio API requests arrived, by `METHOD /template`, and in total."""
    counts = current_state().counter.snapshot()
    return jsonify(counts=counts, total=sum(counts.values()))


@bp.get("/stats")
def traffic_stats() -> Response:
    """Return the `requests` received, the `max_in_flight` at once and the `429s` answered since a reset."""
    return jsonify(current_state().traffic.stats())


@bp.delete("/stats")
def reset_traffic_stats() -> Response:
    """Start the traffic statistics from zero; return them."""
    state = current_state()
    state.traffic.clear()
    return jsonify(state.traffic.stats())


@bp.get("/numbers")
def owned_numbers() -> Response:
    """Return the numbers the account owns now (SID, number, friendly name) and how many."""
    owned = current_state().store.list_numbers()
    return jsonify(
        owned=len(owned),
        numbers=[
            {"sid": n.sid, "phone_number": n.phone_number, "friendly_name": n.friendly_name} for n in owned
        ],
    )


@bp.post("/numbers/<sid>")
def change_number_in_console(sid: str) -> Response:
    """Change a number as someone in the Twilio Console would: `{"changes": {"VoiceUrl": ...},
    "actor_sid": "US...", "actor_name": "..."}`; records the event with that actor, source `web`."""
    state = current_state()
    body = json_body()
    changes = body.get("changes")
    if not isinstance(changes, dict) or not all(isinstance(v, str) for v in changes.values()):
        raise bad_request('changes must be an object of Twilio parameters, e.g. {"VoiceUrl": "https://..."}.')
    friendly_name, settings = parse_number_settings(changes)
    before = state.store.get_number(sid)
    settings.update(emergency.emergency_settings(before, changes))
    after = state.store.update_number(sid, friendly_name, settings)
    if before is None or after is None:
        raise TwilioError(
            404, errors.NOT_FOUND, f"The requested resource IncomingPhoneNumber {sid} was not found"
        )
    emergency.schedule(after)
    actor = str(body.get("actor_name") or "a Console user")
    event = record_number_change(
        state,
        before,
        after,
        actor_type="user",
        actor_sid=body.get("actor_sid"),
        source="web",
        description=f"Phone number {after.phone_number} updated in the Console by {actor}",
    )
    return jsonify(event=event)


@bp.get("/emergency")
def show_emergency() -> Response:
    """Return how emergency-address registrations go: their delay, whether they fail, and the reason."""
    return jsonify(current_state().emergency.describe())


@bp.put("/emergency")
def change_emergency() -> Response:
    """Change any of `delay_seconds` (0 to 600), `fail_registration`, `fail_unregistration` (true: every
    registration or unregistration from now on fails) and `reason` (what the failure's alert says)."""
    state = current_state()
    body = json_body()
    settings = state.emergency
    unknown = set(body) - set(settings.describe())
    if unknown:
        raise bad_request(f"Unknown keys {sorted(unknown)}: use {', '.join(settings.describe())}.")
    for flag in ("fail_registration", "fail_unregistration"):
        if flag in body and not isinstance(body[flag], bool):
            raise bad_request(f"{flag} must be true or false, got {body[flag]!r}.")
    delay = body.get("delay_seconds", settings.delay_seconds)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 600:
        raise bad_request(f"delay_seconds must be a number from 0 to 600, got {delay!r}.")
    reason = body.get("reason", settings.reason)
    if not isinstance(reason, str) or not reason.strip():
        raise bad_request("reason must be a sentence.")
    state.emergency = EmergencySettings(
        float(delay),
        body.get("fail_registration", settings.fail_registration),
        body.get("fail_unregistration", settings.fail_unregistration),
        reason.strip(),
    )
    return jsonify(state.emergency.describe())


@bp.post("/alerts")
def add_alerts() -> Response:
    """Record alerts as if Twilio had raised them: `{"alerts": [{"error_code", "resource_sid",
    "request_url", "date_generated" (ISO 8601, default now)}]}`; answers how many were added."""
    state = current_state()
    wanted = json_body().get("alerts")
    if not isinstance(wanted, list) or not all(isinstance(a, dict) for a in wanted):
        raise bad_request("alerts must be a list of objects.")
    made = []
    for spec in wanted:
        when = parse_date("date_generated", spec["date_generated"]) if spec.get("date_generated") else None
        alert = new_alert(
            state,
            error_code=str(spec.get("error_code", "11200")),
            resource_sid=spec.get("resource_sid"),
            request_url=str(spec.get("request_url", "")),
            request_method="POST",
            reason=str(spec.get("reason", "Connection refused")),
            when=when,
        )
        made.append((alert["sid"], alert))
    state.store.save_records("alerts", made)
    return jsonify(added=len(made))


CALL_END_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
LONGEST_CALL_SECONDS = 4 * 3600
"""Twilio ends a call after 4 hours by default (`TimeLimit`)."""


@bp.post("/calls")
def place_outside_call() -> Response:
    """Place an inbound call to an owned number from an outside caller: `{"to", "from", "status"
    (default completed), "duration" (seconds, default 0)}`; the number's status callback hears of its end
    before the answer, `{"call": {...}, "callback_status": 204}` (null: none set, or unreachable)."""
    state = current_state()
    body = json_body()
    unknown = set(body) - {"to", "from", "status", "duration"}
    if unknown:
        raise bad_request(f"Unknown keys {sorted(unknown)}: use to, from, status, duration.")
    to, caller = body.get("to"), body.get("from")
    if not isinstance(caller, str) or not caller.strip():
        raise bad_request("from must be the caller's number, e.g. +14155550100.")
    number = next((n for n in state.store.list_numbers() if n.phone_number == to), None)
    if number is None:
        raise bad_request(f"to must be a number this account owns, got {to!r}.")
    status = body.get("status", "completed")
    if status not in CALL_END_STATUSES:
        raise bad_request(f"status must be one of {', '.join(CALL_END_STATUSES)}, got {status!r}.")
    duration = whole_number(body, "duration", 0, LONGEST_CALL_SECONDS) if "duration" in body else 0
    call, answer = record_outside_call(state, number, caller.strip(), status, duration)
    return jsonify(call=call, callback_status=answer)


@bp.get("/pool")
def show_pool() -> Response:
    """Return how many numbers each area code offers."""
    return jsonify(pool_size=current_state().pool_size)


@bp.put("/pool")
def change_pool() -> Response:
    """Change how many numbers each area code offers (0: none anywhere); owned numbers stay owned."""
    state = current_state()
    state.pool_size = whole_number(json_body(), "pool_size", 0, MAX_POOL_SIZE)
    return jsonify(pool_size=state.pool_size)


@bp.post("/reset")
def reset() -> Response:
    """Clear the request counts (`?scope=counts`), the stored numbers, calls, messages, alerts, events,
    addresses and emergency settings (`?scope=state`), or both (`?scope=all`, the default). Faults, latency
    and pool size stay. Calls still
    ringing a voice URL are waited for (up to `RING_WAIT_SECONDS`), so none records into the cleared state."""
    state = current_state()
    scope = request.args.get("scope", "all")
    if scope not in RESET_SCOPES:
        raise bad_request(f"scope must be one of {', '.join(RESET_SCOPES)}, got {scope!r}.")
    if scope in ("counts", "all"):
        state.counter.clear()
    if scope in ("state", "all"):
        state.wait_for_rings(RING_WAIT_SECONDS)
        state.store.clear()
        state.emergency = EmergencySettings()
    return jsonify(reset=scope)
