"""Plain output for CI, pipes and dumb terminals: whole lines only, in a stable order."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from crackjack.cli.github import group
from crackjack.cli.theme import STYLES, files, seconds, test_progress
from crackjack.core.run.events import (
    Event,
    HookFinished,
    HookStarted,
    PhaseFailed,
    PhaseFinished,
    PhaseStarted,
    TestProgress,
)
from crackjack.core.run.results import HookResult

PROGRESS_EVERY = 5.0
"""Seconds between two progress lines of a running test hook."""


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


@dataclass(slots=True)
class _Block:
    """One phase's lines: its hooks in declaration order, printed once the earlier ones are."""

    phase: str
    order: list[str]
    finished: dict[str, HookResult] = field(default_factory=dict)
    printed: int = 0
    header_printed: bool = False
    ended: Text | None = None


class PlainLog:
    """Prints one line per finished hook, in declaration order whatever order they end in.

    Phases that run at the same time are printed one after the other, never interleaved; a
    running test hook adds a progress line every ``PROGRESS_EVERY`` seconds at most. With
    ``groups`` (GitHub Actions), each hook's output follows its line as a collapsible group.
    """

    def __init__(self, console: Console, *, quiet: bool = False, groups: bool = False) -> None:
        self._console = console
        self._quiet = quiet
        self._groups = groups
        self._blocks: list[_Block] = []
        self._progress_at: dict[str, float] = {}

    def __call__(self, event: Event) -> None:
        if self._quiet:
            return
        if isinstance(event, PhaseStarted):
            self._blocks.append(_Block(event.phase, list(event.hooks)))
        elif isinstance(event, HookStarted):
            self._progress_at[event.hook] = event.timestamp
        elif isinstance(event, TestProgress):
            self._progress(event)
        elif isinstance(event, HookFinished):
            self._block(event.phase).finished[event.hook] = event.result
        elif isinstance(event, PhaseFinished):
            verdict = "failed" if isinstance(event, PhaseFailed) else "passed"
            style = "bold red" if verdict == "failed" else "green"
            text = Text(f"== {event.phase} {verdict} in {seconds(event.duration)}", style=style)
            self._block(event.phase).ended = text
        self._flush()

    def _block(self, phase: str) -> _Block:
        return next(b for b in self._blocks if b.phase == phase)

    def _progress(self, event: TestProgress) -> None:
        active = self._blocks and self._blocks[0].phase == event.phase
        last = self._progress_at.get(event.hook, event.timestamp)
        if active and event.timestamp - last >= PROGRESS_EVERY:
            self._progress_at[event.hook] = event.timestamp
            self._console.print(Text(f"   {event.hook}: {test_progress(event.counts)}", "dim"))

    def _print_hook(self, result: HookResult) -> None:
        self._console.print(hook_line(result))
        if self._groups and result.output.strip():
            self._console.print(Text(group(f"{result.name} output", result.output)))

    def _flush(self) -> None:
        """Print what is ready of the first phase; once it has ended, go on with the next."""
        while self._blocks:
            block = self._blocks[0]
            if not block.header_printed:
                block.header_printed = True
                header = f"== {block.phase} ({len(block.order)} hooks)"
                self._console.print(Text(header, style="bold"))
            while block.printed < len(block.order) and block.order[block.printed] in block.finished:
                self._print_hook(block.finished[block.order[block.printed]])
                block.printed += 1
            if block.ended is None:
                return
            self._console.print(block.ended)
            self._blocks.pop(0)
