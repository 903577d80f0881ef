"""The consoles crackjack prints through (Rich)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import TextIO

from rich.console import Console


class _Console(Console):
    """A console that falls silent when its reader goes away (``crackjack | head -1``).

    Rich's default raises ``SystemExit`` from inside ``print``: from an event subscriber that
    escapes the bus, tears down the run's task groups and prints an asyncio traceback. Here the
    run goes on to its end quietly (its exit code still tells the outcome).
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self.file.fileno())
            finally:
                os.close(devnull)


def make_console(stream: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A console that never fails on a character the terminal's encoding cannot show, nor on a
    reader that has gone away."""
    stream = stream or (sys.stderr if stderr else sys.stdout)
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors="replace")
    return _Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
