"""The sandbox's Flask app: Twilio's auth, request counting, fault injection and error bodies."""

from __future__ import annotations

import hmac
import logging
import re
import time

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from webapp.sandbox import addresses, api, control, errors, monitor, pricing, traffic
from webapp.sandbox.errors import TwilioError, injected_error
from webapp.sandbox.faults import RESET_ENVIRON_KEY
from webapp.sandbox.state import EXTENSION_KEY, SandboxState, current_state

# The package's logger: one line per request, method, path and status, never the auth header.
logger = logging.getLogger(__package__)

ACCOUNT_PREFIX = re.compile(r"^/2010-04-01/Accounts/[^/]+")
RULE_VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")


def create_sandbox_app(state: SandboxState) -> Flask:
    """Return the sandbox's WSGI app serving `state`."""
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = state
    app.register_blueprint(api.bp)
    app.register_blueprint(addresses.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(pricing.bp)
    app.register_blueprint(monitor.bp)
    app.register_blueprint(traffic.bp)
    app.before_request(admit_request)
    app.after_request(finish_request)
    app.teardown_request(release_slot)
    app.register_error_handler(TwilioError, twilio_error_answer)
    app.register_error_handler(HTTPException, http_error_answer)
    return app


def request_template() -> str:
    """Return the request's path template relative to the account, e.g. `/IncomingPhoneNumbers/{Sid}.json`.

    An unknown path is its own template, minus the account part.
    """
    path = request.url_rule.rule if request.url_rule else request.path
    path = RULE_VARIABLE.sub(lambda m: "{" + m[1].title().replace("_", "") + "}", path)
    return ACCOUNT_PREFIX.sub("", path) or "/"


def check_credentials(state: SandboxState) -> None:
    """Accept only the configured account SID and token, and only for that account's paths.

    Raises:
        TwilioError: 401 with code 20003 otherwise.
    """
    auth = request.authorization
    username = auth.username if auth and auth.type == "basic" else None
    password = auth.password if auth and auth.type == "basic" else None
    path_account = (request.view_args or {}).get("account_sid", state.account_sid)
    if not (
        username is not None
        and password is not None
        and hmac.compare_digest(username.encode(), state.account_sid.encode())
        and hmac.compare_digest(password.encode(), state.auth_token.encode())
        and path_account == state.account_sid
    ):
        raise TwilioError(
            401,
            errors.AUTHENTICATION_FAILED,
            "Authenticate",
            {"WWW-Authenticate": 'Basic realm="Twilio API"'},
        )


def admit_request() -> Response | None:
    """Count a Twilio API request, answer 429 beyond the concurrency cap, delay it, maybe inject a fault, then
    check its credentials."""
    state = current_state()
    g.fault = None
    if request.blueprint == control.bp.name:
        check_credentials(state)
        return None
    template = request_template()
    state.counter.add(request.method, template)
    g.admitted = state.traffic.enter()
    if not g.admitted:
        raise injected_error(429)
    if state.latency_ms:
        time.sleep(state.latency_ms / 1000)
    g.fault = state.faults.draw(request.method, template)
    if g.fault and g.fault.isdigit():
        raise injected_error(int(g.fault), state.faults.plan.retry_after)
    if g.fault == "reset":
        request.environ[RESET_ENVIRON_KEY] = True
        return Response(status=500)
    check_credentials(state)
    return None


def finish_request(response: Response) -> Response:
    """Hold back a `timeout` answer, lose a `drop` answer, and log the request."""
    fault = g.get("fault")
    if fault == "timeout":
        time.sleep(current_state().faults.plan.hang_seconds)
    if fault == "drop":
        request.environ[RESET_ENVIRON_KEY] = True
    lost = request.environ.get(RESET_ENVIRON_KEY)
    if response.status_code == 429:
        current_state().traffic.count_429()
    logger.info(
        "%s %s %s%s",
        request.method,
        request.path,
        "reset" if lost else response.status_code,
        f" (fault {fault})" if fault else "",
    )
    return response


def release_slot(error: BaseException | None) -> None:
    """Free the request's place under the concurrency cap, however it ended."""
    if g.pop("admitted", False):
        current_state().traffic.leave()


def twilio_error_answer(error: TwilioError) -> tuple[Response, int, dict[str, str]]:
    """Return a Twilio error body."""
    return jsonify(error.body()), error.status, error.headers


def http_error_answer(error: HTTPException) -> tuple[Response, int, dict[str, str]]:
    """Return a routing or server error (404, 405, 500...) as a Twilio error body."""
    status = error.code or 500
    if status == 404:
        code, message = errors.NOT_FOUND, f"The requested resource {request.path} was not found"
    elif status == 405:
        code, message = errors.METHOD_NOT_ALLOWED, f"Method {request.method} not allowed for {request.path}"
    else:
        code, message = errors.STATUS_CODES.get(status, status), error.description or error.name
    return twilio_error_answer(TwilioError(status, code, message))
