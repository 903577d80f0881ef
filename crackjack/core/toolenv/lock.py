"""The lock of one environment's key (``.locks/<key>.lock`` in the environments folder): held
while it is built or removed, released by the OS if the process dies."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from crackjack.core.files.fsutil import flock_polled
from crackjack.core.process.run import Cancellation
from crackjack.core.toolenv.location import LOCKS


@contextlib.contextmanager
def env_lock(
    home: Path, key: str, *, wait: bool, cancellation: Cancellation | None = None
) -> Iterator[bool]:
    """Hold ``key``'s lock; yields False when it is not held: another process holds it and
    ``wait`` is False, or the run was cancelled while waiting."""
    (home / LOCKS).mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCKS / f"{key}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        yield _acquire(fd, wait, cancellation)
    finally:
        os.close(fd)


def _acquire(fd: int, wait: bool, cancellation: Cancellation | None) -> bool:
    if not wait:
        return flock_polled(fd, until=0.0)  # one try: a deadline already passed
    stop = None if cancellation is None else (lambda: cancellation.cancelled)
    return flock_polled(fd, until=None, stop=stop)
