"""How statuses look: one symbol and one style each, shared by every view."""

from __future__ import annotations

from crackjack.core.run.results import HookResult, HookStatus, TestCounts

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
    return counted(count, "file")


def counted(count: int, noun: str) -> str:
    """``1 hook``, ``2 hooks``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def cache_note(result: HookResult) -> str:
    """``(cached)`` when the result cache served the whole result, ``(11 of 12 files cached)``
    when it served some files' passes and the hook ran on the others; empty otherwise."""
    if result.cached:
        return "(cached)"
    if result.cached_files:
        return f"({result.cached_files} of {files(result.files)} cached)"
    return ""


def status_text(result: HookResult) -> str:
    """The status as every view says it: ``passed``, ``passed (cached)``..."""
    note = cache_note(result)
    return f"{result.status} {note}" if note else str(result.status)


def human_size(count: int) -> str:
    """``512 bytes``, ``12.3 KB``, ``1.5 MB``, ``2.0 GB`` (units of 1024)."""
    if count < 1024:
        return f"{count} byte{'' if count == 1 else 's'}"
    size, unit = count / 1024, "KB"
    for bigger in ("MB", "GB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{size:.1f} {unit}"


def seconds(value: float) -> str:
    return f"{value:.2f}s" if value < 60 else f"{int(value // 60)}m{value % 60:04.1f}s"


def test_progress(counts: TestCounts) -> str:
    """``57/120 tests: 55 passed, 1 failed, 1 skipped`` (what is known so far)."""
    total = f"/{counts.collected}" if counts.collected else ""
    return f"{counts.done}{total} tests: {counts.describe()}"
