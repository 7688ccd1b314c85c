"""A Prism mock of Twilio's OpenAPI spec as a subprocess: every request our client sends must be one Twilio
accepts.

Prism answers requests outside the spec with 422 and logs `Request did not pass the validation rules` and
the reasons. It also logs `Violation: response.body...` lines about its own example answers (Twilio's
examples break Twilio's schemas, see LIBRARY-NOTES.md); those are not our client's doing and are not
reported here.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.services import free_port
from webapp.config import PROJECT_ROOT

PRISM_BIN = PROJECT_ROOT / "node_modules" / ".bin" / "prism"
STARTUP_SECONDS = 60
REQUEST_FAILED = "Request did not pass the validation rules"


@dataclass
class PrismServer:
    """A running `prism mock`: its base URL and what it logged."""

    base_url: str
    log_path: Path
    _mark: int = field(default=0)

    def output(self) -> str:
        """Everything Prism logged since it started."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def start_test(self) -> None:
        """Forget what earlier tests caused: `request_violations` reads from here on."""
        self._mark = len(self.output())

    def requests_received(self) -> int:
        """How many requests Prism received since `start_test`."""
        return self.output()[self._mark :].count("Request received")

    def request_violations(self) -> list[str]:
        """Each request Prism rejected since `start_test`, with its reasons: one string per request."""
        blocks: list[list[str]] = []
        collecting = False
        for line in self.output()[self._mark :].splitlines():
            if REQUEST_FAILED in line:
                blocks.append([line.strip()])
                collecting = True
            elif collecting and "error" in line and "Violation: response" not in line:
                blocks[-1].append(line.strip())
            else:
                collecting = False
        return ["\n".join(block) for block in blocks]


def start_prism(spec: Path, log_path: Path) -> tuple[subprocess.Popen, PrismServer]:
    """Start `prism mock` of `spec` on a free port, logging to `log_path`; return it once it listens.

    Raises:
        RuntimeError: it exited or did not listen within `STARTUP_SECONDS`; the message holds its log.
    """
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PRISM_BIN), "mock", "--host", "127.0.0.1", "-p", str(port), str(spec)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Prism exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
        if "Prism is listening" in log_path.read_text(errors="replace"):
            return process, PrismServer(base_url=f"http://127.0.0.1:{port}", log_path=log_path)
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"Prism did not start within {STARTUP_SECONDS}s:\n{log_path.read_text()[-2000:]}")
