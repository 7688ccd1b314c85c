"""Stopping the child processes Switchboard starts (the embedded Redis; the tests' servers)."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """Stop a child process: SIGTERM, then SIGKILL if it is still running after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
