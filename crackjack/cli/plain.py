"""Plain output for CI, pipes and dumb terminals: whole lines only, in a stable order."""

from __future__ import annotations

from crackjack.cli.console import Printer
from crackjack.cli.escape import safe_lines, safe_name
from crackjack.cli.github import group
from crackjack.cli.state import RunState, holds
from crackjack.cli.styled import Line, styled
from crackjack.cli.theme import STYLES, counted, files, seconds, status_text, test_progress
from crackjack.core.run.events import (
    EnvInstallFailed,
    EnvInstallFinished,
    EnvInstallStarted,
    Event,
    HookStarted,
    PhaseStarted,
    TestProgress,
)
from crackjack.core.run.results import HookResult

PROGRESS_EVERY = 5.0
"""Seconds between two progress lines of a running test hook."""


def install_line(event: EnvInstallStarted) -> Line:
    """``installing ruff==0.15.6 for ruff-check ...``, then how that ended."""
    requires = safe_name(holds(event))
    hooks = safe_name(", ".join(event.hooks))
    if isinstance(event, EnvInstallFailed):
        return styled(f"{safe_name(event.message)} (for {hooks})", "bold red")
    if isinstance(event, EnvInstallFinished):
        how = "installed" if event.built else "installed by another run:"
        return styled(f"{how} {requires} in {seconds(event.duration)}", "dim")
    return styled(f"installing {requires} for {hooks} ({event.installer}) ...", "dim")


def hook_line(result: HookResult) -> Line:
    """``ruff-check ........ failed  0.12s  (45 files) exit code 1``; a result the cache
    served says so beside its status (``passed (cached)``)."""
    hook = safe_name(result.name)
    line = styled(f"{hook} ", "bold" if result.fails_run else "")
    line = line.plus("." * max(3, 32 - len(hook)) + " ", "dim")
    line = line.plus(f"{status_text(result):<11}", STYLES[result.status])
    line = line.plus(f" {seconds(result.duration):>7}")
    if result.files:
        line = line.plus(f"  ({files(result.files)})", "dim")
    if result.note:
        line = line.plus(f"  {safe_name(result.note)}")
    return line


class PlainLog:
    """Prints one line per finished hook, in declaration order whatever order they end in.

    Phases that run at the same time are printed one after the other, never interleaved: only
    the first phase not printed to its end prints. A running test hook adds a progress line every
    ``PROGRESS_EVERY`` seconds at most. With ``groups`` (GitHub Actions), each hook's output
    follows its line as a collapsible group.
    """

    def __init__(self, console: Printer, *, groups: bool = False) -> None:
        self._console = console
        self._groups = groups
        self._state = RunState()
        self._phases: list[str] = []  # started and not printed to their end, in start order
        self._header_printed = False
        self._printed = 0  # hooks of the first of them printed so far
        self._progress_at: dict[str, float] = {}

    def __call__(self, event: Event) -> None:
        self._state(event)
        if isinstance(event, EnvInstallStarted):
            self._console.print(install_line(event))
        elif isinstance(event, PhaseStarted):
            self._phases.append(event.phase)
        elif isinstance(event, HookStarted):
            self._progress_at[event.hook] = event.timestamp
        elif isinstance(event, TestProgress):
            self._progress(event)
        self._flush()

    def _progress(self, event: TestProgress) -> None:
        active = self._phases and self._phases[0] == event.phase
        last = self._progress_at.get(event.hook, event.timestamp)
        if active and event.timestamp - last >= PROGRESS_EVERY:
            self._progress_at[event.hook] = event.timestamp
            progress = f"   {safe_name(event.hook)}: {test_progress(event.counts)}"
            self._console.print(styled(progress, "dim"))

    def _print_hook(self, result: HookResult) -> None:
        self._console.print(hook_line(result))
        if self._groups and result.output.strip():
            self._console.print(group(f"{result.name} output", safe_lines(result.output)))

    def _flush(self) -> None:
        """Print what is ready of the first phase; once it has ended, go on with the next."""
        while self._phases:
            phase = self._state.phases[self._phases[0]]
            if not self._header_printed:
                self._header_printed = True
                header = f"== {safe_name(phase.name)} ({counted(len(phase.hooks), 'hook')})"
                self._console.print(styled(header, "bold"))
            for hook in self._state.phase_hooks(phase.name)[self._printed :]:
                if hook.result is None:
                    break
                self._print_hook(hook.result)
                self._printed += 1
            if phase.duration is None:
                return
            verdict = "failed" if phase.failed else "passed"
            style = "bold red" if phase.failed else "green"
            ended = f"== {safe_name(phase.name)} {verdict} in {seconds(phase.duration)}"
            self._console.print(styled(ended, style))
            self._phases.pop(0)
            self._header_printed = False
            self._printed = 0
