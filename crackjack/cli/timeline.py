"""A picture of the run: every hook a bar on one time axis, so idle workers show at a glance."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from crackjack.cli.escape import safe_name
from crackjack.cli.theme import STYLES, seconds
from crackjack.core.run.results import HookStatus, RunResult

BAR = "█"


def timeline(result: RunResult, width: int) -> Table:
    """Hooks that ran, in start order, each drawn from its start to its end over ``width``."""
    ran = sorted(
        (h for h in result.hooks if h.status is not HookStatus.SKIPPED and h.ended_at),
        key=lambda h: (h.started_at, h.hook),
    )
    table = Table(title="timeline", title_justify="left", box=None, padding=(0, 1))
    table.add_column("hook")
    table.add_column(f"0 → {seconds(result.duration)}", no_wrap=True)
    table.add_column("duration", justify="right")
    if not ran:
        return table
    start = min(h.started_at for h in ran)
    span = max(max(h.ended_at for h in ran) - start, 1e-9)
    for hook in ran:
        left = round((hook.started_at - start) / span * width)
        length = max(1, round((hook.ended_at - hook.started_at) / span * width))
        bar = Text(" " * min(left, width - 1))
        bar.append(BAR * min(length, width - min(left, width - 1)), style=STYLES[hook.status])
        table.add_row(safe_name(hook.name), bar, seconds(hook.duration))
    return table
