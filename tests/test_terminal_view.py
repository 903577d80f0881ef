"""The live view starts only when a run lasts long enough to need one; driven by a fake clock."""

from __future__ import annotations

import io

from crackjack.cli.console import Printer
from crackjack.cli.state import RunState
from crackjack.cli.terminal import LIVE_AFTER, TerminalView
from crackjack.core.run.events import Event, HookStarted, PhaseStarted, WorkflowStarted
from tests.test_live import Clock, event

TERMINAL = {"FORCE_COLOR": "1", "TERM": "xterm", "COLUMNS": "100"}
HIDE_CURSOR = "\x1b[?25l"


def view_at(clock: Clock) -> tuple[TerminalView, io.StringIO]:
    out = io.StringIO()
    return TerminalView(Printer(out, TERMINAL), RunState(clock=clock)), out


def start(view: TerminalView) -> None:
    events: list[Event] = [
        event(WorkflowStarted, workflow="fast", phases=("fast",)),
        event(PhaseStarted, phase="fast", hooks=("ruff-check",)),
        event(HookStarted, phase="fast", hook="ruff-check", name="ruff-check", files=3),
    ]
    for each in events:
        view(each)


def test_a_run_shorter_than_the_delay_draws_nothing() -> None:
    clock = Clock(100.0)
    view, out = view_at(clock)
    with view:
        start(view)
        for _ in range(3):
            clock.now += LIVE_AFTER / 4
            view.tick()
        assert not view.live
    assert out.getvalue() == ""


def test_a_longer_run_starts_the_view_on_a_tick_with_the_state_so_far() -> None:
    clock = Clock(100.0)
    view, out = view_at(clock)
    with view:
        start(view)
        view.tick()
        assert out.getvalue() == ""
        clock.now += LIVE_AFTER
        view.tick()
        assert view.live
        drawn = out.getvalue()
        assert HIDE_CURSOR in drawn
        assert "ruff-check" in drawn
        assert "0.30s" in drawn  # how long the hook has run, from the state gathered before
    assert out.getvalue().rstrip().endswith("\x1b[?25h")  # the cursor is back at the end


def test_an_event_after_the_delay_starts_the_view_without_a_tick() -> None:
    clock = Clock(100.0)
    view, out = view_at(clock)
    with view:
        view(event(WorkflowStarted, workflow="fast", phases=("fast",)))
        clock.now += LIVE_AFTER + 1
        view(event(PhaseStarted, phase="fast", hooks=("ruff-check",)))
        assert view.live
    assert HIDE_CURSOR in out.getvalue()
