"""Rich, for the views that draw with it: the live view, the timeline, the plan and catalogue
tables. Nothing else imports this module, so a run that needs none of them never loads Rich."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console

from crackjack.cli.console import to_devnull


class _Console(Console):
    """A console that falls silent when its reader goes away (``crackjack | head -1``).

    Rich's default raises ``SystemExit`` from inside ``print``: from an event subscriber that
    escapes the bus, tears down the run's task groups and prints an asyncio traceback. Here the
    run goes on to its end quietly (its exit code still tells the outcome).
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        to_devnull(self.file)


def rich_console(stream: TextIO, *, terminal: bool) -> Console:
    return _Console(
        file=stream, force_terminal=terminal, highlight=False, soft_wrap=True, emoji=False
    )
