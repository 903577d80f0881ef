"""Plain output for CI, pipes and dumb terminals: whole lines only, in a stable order."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from crackjack.cli.theme import STYLES, files, seconds
from crackjack.core.events import (
    Event,
    HookFinished,
    PhaseFailed,
    PhaseFinished,
    PhaseStarted,
)
from crackjack.core.results import HookResult


def hook_line(result: HookResult) -> Text:
    """``ruff-check ........ failed  0.12s  (45 files) exit code 1``"""
    line = Text(f"{result.name} ", style="bold" if result.fails_run else "")
    line.append("." * max(3, 32 - len(result.name)) + " ", style="dim")
    line.append(f"{result.status:<11}", style=STYLES[result.status])
    line.append(f" {seconds(result.duration):>7}")
    if result.files:
        line.append(f"  ({files(result.files)})", style="dim")
    if result.message:
        line.append(f"  {result.message}")
    return line


class PlainLog:
    """Prints one line per finished hook, in declaration order whatever order they end in."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self._console = console
        self._quiet = quiet
        self._order: list[str] = []
        self._finished: dict[str, HookResult] = {}
        self._printed = 0

    def __call__(self, event: Event) -> None:
        if self._quiet:
            return
        if isinstance(event, PhaseStarted):
            self._order, self._finished, self._printed = list(event.hooks), {}, 0
            self._console.print(Text(f"== {event.phase} ({len(event.hooks)} hooks)", style="bold"))
        elif isinstance(event, HookFinished):
            self._finished[event.hook] = event.result
            self._flush()
        elif isinstance(event, PhaseFinished):
            verdict = "failed" if isinstance(event, PhaseFailed) else "passed"
            style = "bold red" if verdict == "failed" else "green"
            text = Text(f"== {event.phase} {verdict} in {seconds(event.duration)}", style=style)
            self._console.print(text)

    def _flush(self) -> None:
        while self._printed < len(self._order) and self._order[self._printed] in self._finished:
            self._console.print(hook_line(self._finished[self._order[self._printed]]))
            self._printed += 1
