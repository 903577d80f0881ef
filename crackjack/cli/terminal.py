"""What a terminal shows while a run goes: nothing at first, then the live view.

Most runs at commit time end in a fraction of a second; for them a live view would be a frame
drawn and wiped at once, and Rich's import (about 45 ms) would be most of crackjack's own time.
So the view starts only when the run is still going after ``LIVE_AFTER``, showing everything
the run state gathered until then; a run that ends sooner prints only its summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from crackjack.cli.console import Printer
from crackjack.cli.state import RunState
from crackjack.core.run.events import Event

if TYPE_CHECKING:
    from crackjack.cli.live import LiveView

LIVE_AFTER = 0.3
"""Seconds a run on a terminal shows nothing: about the time a person starts to notice a wait,
and longer than a git-hook run over a few staged files, which then never imports Rich."""

FRAMES_PER_SECOND = 12.5


class TerminalView:
    """The subscriber on a terminal: keeps the run state and, from ``LIVE_AFTER`` on the state's
    clock, the live view. Whether to start is decided on every event and every ``tick``, so it
    does not matter what calls ``tick`` at the frame rate."""

    def __init__(self, printer: Printer, state: RunState, *, delay: float = LIVE_AFTER) -> None:
        self._printer = printer
        self._state = state
        self._due = state.clock() + delay
        self._view: LiveView | None = None

    @property
    def live(self) -> bool:
        return self._view is not None

    def __call__(self, event: Event) -> None:
        self._state(event)
        self._start_if_due()

    def tick(self) -> None:
        """One frame: start the live view if it is time, redraw it if it runs."""
        self._start_if_due()
        if self._view is not None:
            self._view.refresh()

    def _start_if_due(self) -> None:
        if self._view is None and self._state.clock() >= self._due:
            from crackjack.cli.live import LiveView

            self._view = LiveView(self._printer.rich(), self._state)

    def __enter__(self) -> TerminalView:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._view is not None:
            self._view.stop()

    async def animate(self) -> None:
        while True:
            self.tick()
            await anyio.sleep(1 / FRAMES_PER_SECOND)
