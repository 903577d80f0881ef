"""The end of every run: a table of hooks, the output of each failed hook, the verdict."""

from __future__ import annotations

from collections.abc import Iterator

from crackjack.cli.columns import Column, table
from crackjack.cli.escape import safe_lines, safe_name
from crackjack.cli.styled import Line, styled, truncate
from crackjack.cli.theme import STYLES, files, seconds, status_text
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.run.results import HookResult, HookStatus, RunResult, TestReport, signal_name

SHOWN_LINES = 40
"""Lines of a hook's output shown when the screen's height is not known (not a terminal)."""


def summary(
    result: RunResult,
    *,
    verbose: bool = False,
    quiet: bool = False,
    shown_lines: int = SHOWN_LINES,
    width: int = 80,
    rule: str = "─",
) -> Iterator[Line]:
    """The table (in ``width`` columns), the blocks of the hooks that failed or changed files
    (each under a title ruled with ``rule``, showing the first and last lines of the output,
    ``shown_lines`` in all, or all of it when ``verbose``), the tests that failed, the verdict.
    ``quiet``: no table, and pytest's own output is left out where the failed tests are
    listed."""
    if not quiet:
        yield from _table(result, width)
    for hook in result.hooks:
        if hook.fails_run or hook.modified or (verbose and hook.output):
            listed = quiet and hook.tests is not None and bool(hook.tests.problems)
            shown = None if verbose else 0 if listed else shown_lines
            yield _title(hook, width, rule)
            yield from _block(hook, shown)
    for hook in result.hooks:
        if hook.tests is not None:
            yield from _tests(hook.name, hook.tests, quiet=quiet, width=width)
    yield verdict(result)


_COLUMNS = (
    Column("hook"),
    Column("phase"),
    Column("status"),
    Column("duration", right=True),
    Column("files", right=True),
    Column("note"),
)


def _table(result: RunResult, width: int) -> list[Line]:
    """Every column but the note keeps its width whatever the terminal's: hook ids are never
    cut (error messages tell users to type them); the note wraps."""
    rows = [
        (
            styled(safe_name(hook.name)),
            styled(safe_name(hook.phase)),
            styled(status_text(hook), STYLES[hook.status]),
            styled(seconds(hook.duration)),
            styled(str(hook.files) if hook.files else ""),
            styled(safe_name(hook.note), "dim"),
        )
        for hook in result.hooks
    ]
    return table(f"crackjack {result.workflow}", _COLUMNS, rows, width)


def _title(hook: HookResult, width: int, rule: str) -> Line:
    """``ruff-check: failed (exit code 1) ───────``, cut to ``width`` as a ruled title."""
    message = f" ({safe_name(hook.message)})" if hook.message else ""
    title = truncate(f"{safe_name(hook.name)}: {hook.status}{message}", width - 2)
    line = styled(title, STYLES[hook.status]).plus(" ")
    return line.plus(rule * (width - line.cells), "bright_green")


def _block(hook: HookResult, shown_lines: int | None) -> Iterator[Line]:
    """The hook's output (first and last lines, whole lines only, each indented so none reads
    like crackjack's own), the files it changed."""
    first, omitted, last = _cut(hook, shown_lines)
    for line in first:
        yield styled(f"  {safe_lines(line)}")
    if omitted:
        where = "crackjack -v shows them" if hook.gap is None else "no log file could be written"
        if hook.log_path:
            where = f"full log: {safe_name(hook.log_path)}"
        yield styled(f"  ... {omitted} line{'s' * (omitted != 1)} omitted; {where}", "dim")
    for line in last:
        yield styled(f"  {safe_lines(line)}")
    if hook.modified:
        changed = ", ".join(map(safe_name, hook.modified))
        yield styled(f"{safe_name(hook.name)} modified: {changed}", "yellow")


def _cut(hook: HookResult, shown: int | None) -> tuple[list[str], int, list[str]]:
    """The first lines, how many are omitted, the last lines: ``shown`` lines in all, half of
    them the last ones (None: all that was kept). Where the output lost lines in memory
    (``hook.gap``), the lines omitted are those."""
    output, gap = hook.output.rstrip("\n"), hook.gap
    if not output.strip():
        return [], gap.lines if gap else 0, []
    kept = output.splitlines()
    split = len(hook.output[: gap.at].splitlines()) if gap else len(kept) - len(kept) // 2
    head, tail, omitted = kept[:split], kept[split:], gap.lines if gap else 0
    if shown is None or len(kept) <= shown:
        return head, omitted, tail
    last = min(len(tail), shown // 2)
    first = min(len(head), shown - last)
    last = min(len(tail), shown - first)
    return head[:first], omitted + len(kept) - first - last, tail[len(tail) - last :]


SHOWN_PROBLEMS = 50


def _tests(name: str, report: TestReport, *, quiet: bool, width: int) -> Iterator[Line]:
    """The failed tests with pytest's short reason, and the slowest tests."""
    if report.slowest and not quiet:
        rows = [
            (styled(seconds(slow.seconds)), styled(safe_name(slow.nodeid)))
            for slow in report.slowest
        ]
        columns = (Column("duration", right=True), Column("test"))
        yield from table(f"{name}: slowest tests", columns, rows, width)
    if not report.problems:
        return
    yield styled(f"{name}: failed tests", "bold red")
    for problem in report.problems[:SHOWN_PROBLEMS]:
        line = styled(f"{problem.category.upper()} ", "red").plus(safe_name(problem.nodeid))
        if problem.reason:
            line = line.plus(f" - {safe_name(problem.reason)}", "dim")
        yield line
    if len(report.problems) > SHOWN_PROBLEMS:
        yield styled(f"... and {len(report.problems) - SHOWN_PROBLEMS} more", "dim")


def verdict(result: RunResult) -> Line:
    """``fast: passed in 0.12s (hooks: 9 passed)``; a run where every hook was skipped says why
    (``hooks: 9 skipped; no files to check``), so a green run that checked nothing shows, and
    one where the result cache served hooks says how many (``hooks: 9 passed; 7 cached``)."""
    said = f"{result.totals.describe()}{_nothing_ran(result)}{_cached(result)}"
    took = f"{seconds(result.duration)} ({said})"
    if result.interrupted_by is not None:
        interrupted = f"interrupted by {signal_name(result.interrupted_by)} after {took}"
        return styled(f"{result.workflow}: {interrupted}", "bold red")
    if result.failed:
        fixed = any(h.status is HookStatus.FIXED for h in result.hooks)
        hint = "; files were modified: review and stage them" if fixed else ""
        return styled(f"{result.workflow}: failed in {took}{hint}", "bold red")
    return styled(f"{result.workflow}: passed in {took}", "bold green")


def _nothing_ran(result: RunResult) -> str:
    if not result.hooks or any(h.status is not HookStatus.SKIPPED for h in result.hooks):
        return ""
    reasons = {hook.message for hook in result.hooks}
    return f"; {safe_name(reasons.pop())}" if len(reasons) == 1 else "; nothing was checked"


def _cached(result: RunResult) -> str:
    served = sum(hook.cached for hook in result.hooks)
    return f"; {served} cached" if served else ""


def hidden_note(hidden: HiddenChanges) -> Line:
    """Said before the hooks run, so a user whose run dies knows where the changes are."""
    return styled(
        f"unstaged changes to {files(len(hidden.files))} hidden while the hooks run;"
        f" saved in {safe_name(str(hidden.recovery_dir))}",
        "dim",
    )


def restore_report(hidden: HiddenChanges) -> Line:
    """What happened to the unstaged changes and to the files changed around them."""
    from crackjack.core.git.restore import restore_notes  # git-hook mode only

    notes = restore_notes(hidden)
    text = "; ".join((f"unstaged changes restored ({files(len(hidden.files))})", *notes))
    return styled(safe_name(text), "yellow" if notes else "dim")
