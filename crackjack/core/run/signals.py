"""SIGINT, SIGTERM and SIGHUP, handled alike for the whole of a run (DESIGN.md 6.5).

The handler only records the signal and asks the run to stop; it never raises into the code
it interrupts, so a signal that arrives while files are being restored cannot cut that short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stop_signals_to(stop: Callable[[int], None]) -> Iterator[None]:
    """Route the stop signals to ``stop(signum)`` inside the block; the old handlers after it.

    Outside the main thread (where Python cannot install handlers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        stop(signum)

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
