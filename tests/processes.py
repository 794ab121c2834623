"""Helpers for tests that start render.py as a real process and signal it."""

import signal
import subprocess
import time
from pathlib import Path

import pytest


def reached_first_line(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until render.py's first lines have caught SIGTERM (Python itself never does): a
    signal before that reaches the interpreter starting up, which no program can answer."""
    status = Path(f"/proc/{proc.pid}/status")
    if not status.exists():
        pytest.skip("needs /proc to see when a process catches a signal")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        caught = next(line for line in status.read_text().splitlines()
                      if line.startswith("SigCgt:"))
        if int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1:
            return
        time.sleep(0.005)
    pytest.fail("render.py never installed its signal handlers")
