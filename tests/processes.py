"""Telling whether processes a test started are gone, in a container whose init may not reap."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path


def is_gone(pid: int) -> bool:
    """Dead: no such process, or a zombie left to an init that may never reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in {"Z", "X"}


def wait_gone(pids: Iterable[int], within: float = 5.0) -> list[int]:
    """The pids still alive after ``within`` seconds (a killed process takes a moment to die)."""
    deadline = time.monotonic() + within
    left = [pid for pid in pids if not is_gone(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.01)
        left = [pid for pid in left if not is_gone(pid)]
    return left


def kill_leftovers(pids: Iterable[int]) -> None:
    """Clean up after a failed test: these are processes the test started."""
    for pid in pids:
        if not is_gone(pid):
            os.kill(pid, signal.SIGKILL)
