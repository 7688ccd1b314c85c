"""The local Twilio sandbox (`webapp/sandbox`) as a subprocess, for tests and benchmarks over HTTP.

`start_sandbox_process(state_dir, faults="", latency_ms=0, pool_size=50, seed=None, max_concurrency=0)`
starts one (text as for `--faults`, e.g. `"500=0.2,reset=0.05,hang=1"`) and gives a `SandboxProcess`:
`base_url` (point the Twilio client there), `account_sid`, `auth_token`, `set_faults(...)`,
`set_pool_size(n)`, `request_counts()`, `request_count("POST /IncomingPhoneNumbers.json")`, `stats()`,
`reset_stats()`, `owned_numbers()`, `owned_count()`, `set_emergency(...)`, `reset(scope)`,
`fresh(**options)` (as if newly started with those options), `restart()` (same port and state file),
`stop()`, `log()`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from harness.services import free_port
from webapp.config import PROJECT_ROOT, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from webapp.launcher.processes import stop_process
from webapp.sandbox.control import RING_WAIT_SECONDS

STARTUP_SECONDS = 15.0
"""How long a sandbox may take to answer after it was started."""

CONTROL_TIMEOUT = 5.0
"""Read timeout for control requests; they are never delayed or faulted."""


class PortTaken(RuntimeError):
    """The sandbox could not listen: another process took its port since `free_port` found it free."""


@dataclass
class SandboxProcess:
    """A sandbox running as `python -m webapp.sandbox`, with its control API as methods."""

    state_dir: Path
    faults: str = ""
    latency_ms: int = 0
    pool_size: int = 50
    seed: int | None = None
    max_concurrency: int = 0
    port: int = field(default_factory=free_port)
    account_sid: str = SANDBOX_ACCOUNT_SID
    auth_token: str = SANDBOX_AUTH_TOKEN
    _process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        """The API's root, e.g. `http://127.0.0.1:PORT`; Twilio paths start with `/2010-04-01/`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        """The SQLite file holding owned numbers, calls and messages across restarts."""
        return self.state_dir / "twilio_sandbox.sqlite3"

    @property
    def log_path(self) -> Path:
        """Everything the sandbox printed, across restarts."""
        return self.state_dir / "sandbox.log"

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        """Return the sandbox's log: one line per request (method, path, status, fault)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        """Start the process with the current options and wait until it answers.

        Raises:
            RuntimeError: it exited or did not answer within `STARTUP_SECONDS`; the message holds its log.
        """
        if self.running:
            return
        command = [sys.executable, "-m", "webapp.sandbox", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--db", str(self.db_path), "--faults", self.faults, "--latency-ms", str(self.latency_ms)]
        command += ["--pool-size", str(self.pool_size), "--max-concurrency", str(self.max_concurrency)]
        if self.seed is not None:
            command += ["--seed", str(self.seed)]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code, self._process = self._process.wait(), None
                error = PortTaken if "Address already in use" in self.log() else RuntimeError
                raise error(f"The sandbox exited with {code}:\n{self.log()}")
            try:
                # Another process may hold the port until ours fails to bind: only our child counts.
                if self._control("GET", "/health", timeout=0.5)["pid"] == self._process.pid:
                    return
            except (requests.ConnectionError, requests.Timeout, AssertionError, ValueError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"The sandbox did not answer within {STARTUP_SECONDS} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 5 s); the state file stays."""
        if self._process is None:
            return
        stop_process(self._process, timeout=5)
        self._process = None

    def restart(self) -> None:
        """Stop and start again on the same port and state file, with the options last set."""
        self.stop()
        self.start()

    def _control(self, method: str, path: str, timeout: float = CONTROL_TIMEOUT, **kwargs: Any) -> Any:
        response = requests.request(
            method,
            f"{self.base_url}/_sandbox{path}",
            auth=(self.account_sid, self.auth_token),
            timeout=(1.0, timeout),
            **kwargs,
        )
        if response.status_code != 200:
            raise AssertionError(
                f"Sandbox control {method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    def set_faults(
        self,
        faults: str | None = None,
        *,
        latency_ms: int | None = None,
        seed: int | None = None,
        max_concurrency: int | None = None,
    ) -> dict[str, Any]:
        """Change the faults (`""` for none), latency, seed and/or concurrency cap at run time; kept across
        `restart()`.

        Giving `seed` restarts the fault draw from it. Returns the settings now in force.
        """
        body: dict[str, Any] = {}
        if max_concurrency is not None:
            body["max_concurrency"] = max_concurrency
        if faults is not None:
            body["faults"] = faults
        if latency_ms is not None:
            body["latency_ms"] = latency_ms
        if seed is not None:
            body["seed"] = seed
        answer = self._control("PUT", "/faults", json=body)
        self.faults, self.latency_ms = answer["faults"], answer["latency_ms"]
        self.max_concurrency = answer["max_concurrency"]
        self.seed = answer["seed"] if seed is not None else self.seed
        return answer

    def set_pool_size(self, pool_size: int) -> None:
        """Change how many numbers each area code offers (0: none anywhere); kept across `restart()`."""
        self.pool_size = self._control("PUT", "/pool", json={"pool_size": pool_size})["pool_size"]

    def request_counts(self) -> dict[str, int]:
        """Return the Twilio API requests received since start or reset, by `METHOD /path-template`."""
        return self._control("GET", "/requests")["counts"]

    def request_count(self, key: str) -> int:
        """Return how many requests `key` (e.g. `"POST /IncomingPhoneNumbers.json"`) received."""
        return self.request_counts().get(key, 0)

    def stats(self) -> dict[str, int]:
        """Return `requests`, `max_in_flight` and `429s` since start or `reset_stats()`."""
        return self._control("GET", "/stats")

    def reset_stats(self) -> None:
        """Start the sandbox's traffic statistics from zero."""
        self._control("DELETE", "/stats")

    def owned_numbers(self) -> list[dict[str, str]]:
        """Return the numbers the account owns: `sid`, `phone_number`, `friendly_name` each."""
        return self._control("GET", "/numbers")["numbers"]

    def owned_count(self) -> int:
        """Return how many numbers the account owns."""
        return self._control("GET", "/numbers")["owned"]

    def place_call(
        self, to: str, caller: str, status: str = "completed", duration: int = 0
    ) -> dict[str, Any]:
        """Have an outside `caller` call the owned number `to` (`POST /_sandbox/calls`); return the call and
        what its status callback answered (`{"call": {...}, "callback_status": 204}`)."""
        body = {"to": to, "from": caller, "status": status, "duration": duration}
        return self._control("POST", "/calls", json=body)

    def set_emergency(self, **settings: Any) -> dict[str, Any]:
        """Change how emergency-address registrations go (`delay_seconds`, `fail_registration`,
        `fail_unregistration`, `reason`: `PUT /_sandbox/emergency`); a reset of the state restores them."""
        return self._control("PUT", "/emergency", json=settings)

    def reset(self, scope: str = "all") -> None:
        """Clear the request counts (`"counts"`), the numbers, calls and messages (`"state"`), or both.

        A call still ringing a voice URL is waited for, hence the longer timeout.
        """
        self._control("POST", "/reset", timeout=CONTROL_TIMEOUT + RING_WAIT_SECONDS, params={"scope": scope})

    def fresh(
        self,
        faults: str = "",
        latency_ms: int = 0,
        pool_size: int = 50,
        seed: int | None = None,
        max_concurrency: int = 0,
    ) -> None:
        """Make this sandbox (started if it is not running) as a new one with these options would be:
        nothing owned or recorded, nothing counted, its log empty. Tests share one sandbox this way."""
        self.start()
        self.set_faults("", latency_ms=0, max_concurrency=0)
        self.reset("all")
        self.reset_stats()
        self.set_pool_size(pool_size)
        self.set_faults(faults, latency_ms=latency_ms, max_concurrency=max_concurrency, seed=seed)
        self.log_path.write_bytes(b"")  # the process appends to it: it writes on at the new end


def start_sandbox_process(state_dir: Path, **options: Any) -> SandboxProcess:
    """Start a sandbox keeping its state in `state_dir` (options as `SandboxProcess`'s) and return it.

    Another process may take the free port before the sandbox binds it: then it tries another port.
    """
    sandbox = SandboxProcess(state_dir, **options)
    for _ in range(2):
        try:
            sandbox.start()
            return sandbox
        except PortTaken:
            sandbox.port = free_port()
    sandbox.start()
    return sandbox
