"""How statuses look: one symbol and one style each, shared by every view."""

from __future__ import annotations

from crackjack.core.results import HookStatus

STYLES = {
    HookStatus.PASSED: "green",
    HookStatus.FAILED: "bold red",
    HookStatus.FIXED: "yellow",
    HookStatus.SKIPPED: "dim",
    HookStatus.TIMED_OUT: "bold red",
    HookStatus.MISSING: "magenta",
    HookStatus.ERROR: "bold red",
    HookStatus.INTERRUPTED: "red",
}

SYMBOLS = {
    HookStatus.PASSED: "✓",
    HookStatus.FAILED: "✗",
    HookStatus.FIXED: "✎",
    HookStatus.SKIPPED: "-",
    HookStatus.TIMED_OUT: "⏱",
    HookStatus.MISSING: "?",
    HookStatus.ERROR: "!",
    HookStatus.INTERRUPTED: "✗",
}


def files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def seconds(value: float) -> str:
    return f"{value:.2f}s" if value < 60 else f"{int(value // 60)}m{value % 60:04.1f}s"
