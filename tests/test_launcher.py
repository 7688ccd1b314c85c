"""`make run` end to end: the launcher (`python -m webapp.launcher`) in a fresh instance directory, on the
embedded defaults, exactly as a new user starts it; then Ctrl-C, and a second start that finds its data."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from redis import Redis

from harness.services import free_port
from harness.waits import wait_until
from harness.web import CSRF_INPUT
from tests.fixtures.voice_server import VoiceServer
from webapp.config import PROJECT_ROOT
from webapp.launcher.__main__ import local_defaults
from webapp.launcher.embedded_redis import is_answering

START_TIMEOUT_SECONDS = 90
"""Upgrading a new database, seeding the demo data and starting four processes."""

STOP_TIMEOUT_SECONDS = 30
"""The launcher gives its children 10 s to stop before it kills them."""

PASSWORD_LINE = re.compile(r"password: (\S+)")
SETTINGS_TO_DROP = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TWILIO_", "TEST_", "FLASK_")


class Launcher:
    """`python -m webapp.launcher` with the embedded defaults in `instance`, its output kept in a file."""

    def __init__(self, instance: Path) -> None:
        self.instance = instance
        self.web_port = free_port()
        self.output_path = instance.parent / f"launcher-{self.web_port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_TO_DROP)},
            "SWITCHBOARD_INSTANCE_PATH": str(instance),
            "WEB_PORT": str(self.web_port),
            "TWILIO_SANDBOX_PORT": str(free_port()),
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def start(self) -> dict:
        """Start it and return /healthz once it answers 200."""
        with self.output_path.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "webapp.launcher"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        health: dict = {}

        def healthy() -> bool:
            assert self.process.poll() is None, f"make run exited:\n{self.output()}"
            try:
                response = requests.get(f"{self.url}/healthz", timeout=2)
            except requests.ConnectionError:
                return False
            health.update(response.json())
            return response.status_code == 200

        wait_until(healthy, START_TIMEOUT_SECONDS, f"make run to serve /healthz\n{self.output()}")
        return health

    def interrupt(self) -> int:
        """Press Ctrl-C (SIGINT to the launcher) and return its exit code; fail if it takes too long."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"make run did not stop within {STOP_TIMEOUT_SECONDS} s of Ctrl-C:\n{self.output()}")


@pytest.fixture
def instance() -> Iterator[Path]:
    # Short: a unix socket path must stay under ~100 characters.
    root = Path(tempfile.mkdtemp(prefix="sb-run-"))
    yield root / "instance"
    shutil.rmtree(root, ignore_errors=True)


def sign_in(launcher: Launcher, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{launcher.url}/login", timeout=5).text
    token = CSRF_INPUT.search(form)
    response = session.post(
        f"{launcher.url}/login",
        data={"email": "admin@example.com", "password": password, "csrf_token": token[1] or token[2]},
        timeout=10,
    )
    assert response.status_code == 200 and "Sign out" in response.text, response.text[:500]
    return session


def seeded_provisions_done(database: Path) -> bool:
    """Whether the worker has finished the provisions seed-demo queued (none is queued or running)."""
    with sqlite3.connect(database) as connection:
        (in_flight,) = connection.execute(
            "SELECT count(*) FROM activities WHERE status IN ('queued', 'running')"
        ).fetchone()
    return in_flight == 0


def finished_test_call(database: Path) -> tuple[str, str | None, str] | None:
    """The status, error and result of the latest test call once it has ended, else None."""
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT status, error, result FROM activities WHERE kind = 'test_call' "
            "AND status IN ('succeeded', 'failed') ORDER BY created_at DESC LIMIT 1"
        ).fetchone()


def number_of(database: Path, business_id: str) -> tuple[str, str]:
    """The id and E.164 of the business's number."""
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT id, e164 FROM phone_numbers WHERE business_id = ?", (business_id,)
        ).fetchone()


def place_test_call_from_the_console(launcher: Launcher, session: requests.Session, number_id: str) -> None:
    """Press "Place a test call" on the number's page, as an admin would."""
    page = session.get(f"{launcher.url}/admin/phonenumber/details/?id={number_id}", timeout=10).text
    assert 'data-action="test-call"' in page and "TWILIO_TEST_CALLER" not in page, page[:2000]
    token = CSRF_INPUT.search(page)
    placed = session.post(
        f"{launcher.url}/admin/phonenumber/health/test-call/",
        data={"id": number_id, "csrf_token": token[1] or token[2]},
        timeout=10,
    )
    assert placed.status_code == 200 and "test call" in placed.text.lower(), placed.text[:500]


def active_business_without_number(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        (business_id,) = connection.execute(
            "SELECT b.id FROM businesses b LEFT JOIN phone_numbers p ON p.business_id = b.id "
            "WHERE b.status = 'active' AND p.id IS NULL LIMIT 1"
        ).fetchone()
    return business_id


@pytest.mark.once_in_ci  # it runs on the embedded defaults whatever the pass
def test_make_run_serves_the_console_provisions_and_keeps_its_data_across_a_restart(
    instance: Path, voice_server: VoiceServer
):
    first = Launcher(instance)
    first.env["TWILIO_VOICE_URL"] = voice_server.url  # a business's voice URL that answers the test call
    try:
        health = first.start()
        assert health == {"status": "ok"}
        [password] = PASSWORD_LINE.findall(first.output())
        console = sign_in(first, password)
        dashboard = console.get(f"{first.url}/admin/", timeout=10)
        assert dashboard.status_code == 200 and "Sandbox" in dashboard.text

        # The whole stack at work: the CLI enqueues on the embedded Redis, the launcher's worker buys the
        # number at the launcher's sandbox and records it in the SQLite file.
        database = instance / "switchboard.db"
        wait_until(lambda: seeded_provisions_done(database), 60, "the demo's numbers to be bought")
        business_id = active_business_without_number(database)
        provision = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "numbers", "provision", business_id, "--wait"],
            cwd=PROJECT_ROOT,
            env={**first.env, "SECRET_KEY": (instance / "secret_key").read_text()},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert provision.returncode == 0, provision.stdout + provision.stderr
        assert "provision succeeded" in provision.stdout

        # No TWILIO_TEST_CALLER is set: make run gives the sandbox's own caller, so test calls work.
        number_id, e164 = number_of(database, business_id)
        place_test_call_from_the_console(first, console, number_id)
        wait_until(lambda: finished_test_call(database), 60, "the test call's verdict")
        status, error, result = finished_test_call(database)
        assert status == "succeeded", error
        assert "Your voice URL answered 200" in json.loads(result)["verdict"]
        assert voice_server.requests[-1]["To"] == e164

        Redis(unix_socket_path=str(instance / "redis.sock")).set("switchboard:test:kept", "yes")
    finally:
        assert first.interrupt() == 0, first.output()
    wait_until(lambda: not is_answering(instance / "redis.sock"), 10, "the embedded Redis to stop")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{first.url}/healthz", timeout=2)

    second = Launcher(instance)
    try:
        second.start()
        assert "already exists; its password is unchanged" in second.output()
        sign_in(second, password)
        redis = Redis(unix_socket_path=str(instance / "redis.sock"))
        assert redis.get("switchboard:test:kept") == b"yes", "the embedded Redis lost its data on restart"
    finally:
        assert second.interrupt() == 0, second.output()


def test_make_run_on_the_sandbox_points_status_callbacks_at_the_local_console(tmp_path: Path):
    settings = {"TWILIO_SANDBOX": True, "WEB_PORT": 5123}
    assert local_defaults(settings, tmp_path)["PUBLIC_BASE_URL"] == "http://127.0.0.1:5123"
    assert local_defaults(settings, tmp_path)["TWILIO_TEST_CALLER"] == "+15005550006"
    on_twilio = local_defaults({**settings, "TWILIO_SANDBOX": False}, tmp_path)
    assert "PUBLIC_BASE_URL" not in on_twilio and "TWILIO_TEST_CALLER" not in on_twilio
