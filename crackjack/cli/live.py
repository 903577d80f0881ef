"""The live view on a terminal: one line per hook, redrawn at a fixed rate from the run state.

Imported only once a run has lasted long enough to need it (``crackjack.cli.terminal``)."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from crackjack.cli.escape import safe_name
from crackjack.cli.state import HookRow, InstallRow, PhaseRow, RunState
from crackjack.cli.theme import STYLES, SYMBOLS, files, seconds, status_text, test_progress


def render(state: RunState, now: float) -> RenderableType:
    """A pure function of the state and the time: testable without a terminal."""
    installs = [_install(row, now) for row in state.installs.values()]
    return Group(*installs, *(_phase(state, phase, now) for phase in state.phases.values()))


def _install(row: InstallRow, now: float) -> RenderableType:
    """``⠋ installing ruff==0.15.6 for ruff-check  1.20s``, then how it ended."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=2)
    table.add_column(overflow="fold")
    table.add_column(justify="right", min_width=7)
    hooks = safe_name(", ".join(row.hooks))
    if row.duration is None:
        text = Text(f"installing {safe_name(row.shown)} for {hooks}")
        table.add_row(Spinner("dots", style="cyan"), text, seconds(now - row.started))
    elif row.failed:
        table.add_row(Text("✗", style="red"), Text(safe_name(row.message), style="red"), "")
    else:
        text = Text(f"installed {safe_name(row.shown)} for {hooks}", style="dim")
        table.add_row(Text("✓", style="green"), text, seconds(row.duration))
    return table


def _phase(state: RunState, phase: PhaseRow, now: float) -> RenderableType:
    """The phase's line, then one line per hook; hook ids are never cut."""
    longest = max((len(safe_name(hook.title)) for hook in state.hooks.values()), default=0)
    table = Table.grid(padding=(0, 1))
    table.add_column(width=2)
    table.add_column(min_width=max(24, longest), no_wrap=True)
    table.add_column(justify="right", min_width=7)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="ellipsis")
    table.add_row("", Text(safe_name(phase.name), style="bold"), _phase_time(phase, now), "", "")
    if phase.started is not None:
        for hook in state.phase_hooks(phase.name):
            table.add_row(*_hook_cells(hook, now))
    return table


def _phase_time(phase: PhaseRow, now: float) -> Text:
    if phase.duration is not None:
        return Text(seconds(phase.duration), style="bold red" if phase.failed else "green")
    if phase.started is not None:
        return Text(seconds(now - phase.started))
    return Text("waiting", style="dim")


def _hook_cells(hook: HookRow, now: float) -> tuple[RenderableType, ...]:
    count = files(hook.files) if hook.files else ""
    if hook.result is not None:
        status = hook.result.status
        note = Text(status_text(hook.result), style=STYLES[status])
        if hook.result.note:
            note.append(f"  {safe_name(hook.result.note)}", style="dim")
        symbol = Text(SYMBOLS[status], style=STYLES[status])
        return symbol, Text(safe_name(hook.title)), seconds(hook.result.duration), count, note
    if hook.started is not None:
        return (
            Spinner("dots", style="cyan"),
            Text(safe_name(hook.title)),
            seconds(now - hook.started),
            "" if hook.tests else count,
            _tests(hook),
        )
    waiting = Text("waiting", style="dim")
    return Text("·", style="dim"), Text(safe_name(hook.id), style="dim"), "", "", waiting


BAR_WIDTH = 20


def _tests(hook: HookRow) -> RenderableType:
    """A running test hook's bar and tally, as one line that narrows with the terminal; nothing
    for other hooks."""
    counts = hook.tests
    if counts is None:
        return ""
    style = "red" if counts.failed or counts.errors else "green"
    done = round(BAR_WIDTH * counts.done / counts.collected) if counts.collected else 0
    line = Text("━" * min(done, BAR_WIDTH), style=style)
    line.append("━" * (BAR_WIDTH - min(done, BAR_WIDTH)), style="grey30")
    line.append(" " + test_progress(counts), style="red" if counts.failed else "")
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


class LiveView:
    """Owns the Rich ``Live``; only the engine's thread touches it: ``refresh`` is its ticker."""

    def __init__(self, console: Console, state: RunState) -> None:
        self._state = state
        self._live = Live(
            console=console, auto_refresh=False, redirect_stdout=False, redirect_stderr=False
        )
        self._live.start()

    def refresh(self) -> None:
        self._live.update(render(self._state, self._state.clock()), refresh=True)

    def stop(self) -> None:
        self.refresh()
        self._live.stop()
