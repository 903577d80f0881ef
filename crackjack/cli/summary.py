"""The end of every run: a table of hooks, the output of each failed hook, the verdict."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from crackjack.cli.escape import safe_lines, safe_name
from crackjack.cli.theme import STYLES, files, seconds
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.git.restore import restore_notes
from crackjack.core.run.results import HookResult, HookStatus, RunResult, TestReport, signal_name

SHOWN_LINES = 40
"""Lines of a hook's output shown when the screen's height is not known (not a terminal)."""


def summary(
    result: RunResult,
    *,
    verbose: bool = False,
    quiet: bool = False,
    shown_lines: int = SHOWN_LINES,
) -> Iterator[RenderableType]:
    """The table, the blocks of the hooks that failed or changed files (each showing the first
    and last lines of the output, ``shown_lines`` in all, or all of it when ``verbose``), the
    tests that failed, the verdict. ``quiet``: no table, and pytest's own output is left out
    where the failed tests are listed."""
    if not quiet:
        yield _table(result)
    for hook in result.hooks:
        if hook.fails_run or hook.modified or (verbose and hook.output):
            listed = quiet and hook.tests is not None and bool(hook.tests.problems)
            yield from _block(hook, None if verbose else 0 if listed else shown_lines)
    for hook in result.hooks:
        if hook.tests is not None:
            yield from _tests(hook.name, hook.tests, quiet=quiet)
    yield verdict(result)


def _table(result: RunResult) -> Table:
    """Every column but the note keeps its width whatever the terminal's: hook ids are never
    cut (error messages tell users to type them); the note wraps."""
    table = Table(title=f"crackjack {result.workflow}", title_justify="left", box=None)
    for column in ("hook", "phase", "status", "duration", "files"):
        table.add_column(column, justify="right" if column in ("duration", "files") else "left")
        table.columns[-1].no_wrap = True
    table.add_column("note", overflow="fold")
    ids = [safe_name(hook.name) for hook in result.hooks]
    table.columns[0].min_width = max(map(len, ids), default=0)
    for hook, hook_id in zip(result.hooks, ids, strict=True):
        table.add_row(
            hook_id,
            safe_name(hook.phase),
            Text(str(hook.status), style=STYLES[hook.status]),
            seconds(hook.duration),
            str(hook.files) if hook.files else "",
            Text(safe_name(hook.note), style="dim"),
        )
    return table


def _block(hook: HookResult, shown_lines: int | None) -> Iterator[RenderableType]:
    """The hook's title, its output (first and last lines, whole lines only, each indented so
    none reads like crackjack's own), the files it changed."""
    message = f" ({safe_name(hook.message)})" if hook.message else ""
    title = Text(f"{safe_name(hook.name)}: {hook.status}{message}", STYLES[hook.status])
    yield Rule(title, align="left")
    first, omitted, last = _cut(hook, shown_lines)
    for line in first:
        yield Text(f"  {safe_lines(line)}")
    if omitted:
        where = "crackjack -v shows them" if hook.gap is None else "no log file could be written"
        if hook.log_path:
            where = f"full log: {safe_name(hook.log_path)}"
        yield Text(f"  ... {omitted} line{'s' * (omitted != 1)} omitted; {where}", style="dim")
    for line in last:
        yield Text(f"  {safe_lines(line)}")
    if hook.modified:
        changed = ", ".join(map(safe_name, hook.modified))
        yield Text(f"{safe_name(hook.name)} modified: {changed}", style="yellow")


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


def _tests(name: str, report: TestReport, *, quiet: bool) -> Iterator[RenderableType]:
    """The failed tests with pytest's short reason, and the slowest tests."""
    if report.slowest and not quiet:
        table = Table(title=f"{name}: slowest tests", title_justify="left", box=None)
        table.add_column("duration", justify="right")
        table.add_column("test")
        for slow in report.slowest:
            table.add_row(seconds(slow.seconds), safe_name(slow.nodeid))
        yield table
    if not report.problems:
        return
    yield Text(f"{name}: failed tests", style="bold red")
    for problem in report.problems[:SHOWN_PROBLEMS]:
        line = Text(f"{problem.category.upper()} ", style="red")
        line.append(safe_name(problem.nodeid))
        if problem.reason:
            line.append(f" - {safe_name(problem.reason)}", style="dim")
        yield line
    if len(report.problems) > SHOWN_PROBLEMS:
        yield Text(f"... and {len(report.problems) - SHOWN_PROBLEMS} more", style="dim")


def verdict(result: RunResult) -> Text:
    """``fast: passed in 0.12s (hooks: 9 passed)``; a run where every hook was skipped says why
    (``hooks: 9 skipped; no files to check``), so a green run that checked nothing shows."""
    took = f"{seconds(result.duration)} ({result.totals.describe()}{_nothing_ran(result)})"
    if result.interrupted_by is not None:
        interrupted = f"interrupted by {signal_name(result.interrupted_by)} after {took}"
        return Text(f"{result.workflow}: {interrupted}", style="bold red")
    if result.failed:
        fixed = any(h.status is HookStatus.FIXED for h in result.hooks)
        hint = "; files were modified: review and stage them" if fixed else ""
        return Text(f"{result.workflow}: failed in {took}{hint}", style="bold red")
    return Text(f"{result.workflow}: passed in {took}", style="bold green")


def _nothing_ran(result: RunResult) -> str:
    if not result.hooks or any(h.status is not HookStatus.SKIPPED for h in result.hooks):
        return ""
    reasons = {hook.message for hook in result.hooks}
    return f"; {safe_name(reasons.pop())}" if len(reasons) == 1 else "; nothing was checked"


def hidden_note(hidden: HiddenChanges) -> Text:
    """Said before the hooks run, so a user whose run dies knows where the changes are."""
    return Text(
        f"unstaged changes to {files(len(hidden.files))} hidden while the hooks run;"
        f" saved in {hidden.recovery_dir}",
        style="dim",
    )


def restore_report(hidden: HiddenChanges) -> Text:
    """What happened to the unstaged changes and to the files changed around them."""
    notes = restore_notes(hidden)
    text = "; ".join((f"unstaged changes restored ({files(len(hidden.files))})", *notes))
    return Text(safe_name(text), style="yellow" if notes else "dim")
