"""How statuses look: one symbol and one style each, shared by every view."""

from __future__ import annotations

from crackjack.core.run.results import HookStatus, TestCounts

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


def test_progress(counts: TestCounts) -> str:
    """``57/120 tests: 55 passed, 1 failed, 1 skipped`` (what is known so far)."""
    total = f"/{counts.collected}" if counts.collected else ""
    return f"{counts.done}{total} tests: {counts.describe()}"
