"""The end of every run: a table of hooks, the output of each failed hook, the verdict."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from crackjack.cli.theme import STYLES, files, seconds
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.git.restore import restore_notes
from crackjack.core.run.results import HookResult, HookStatus, RunResult, TestReport, signal_name


def summary(
    result: RunResult, *, verbose: bool = False, quiet: bool = False
) -> Iterator[RenderableType]:
    if not quiet:
        yield _table(result)
    for hook in result.hooks:
        if hook.fails_run or hook.modified or (verbose and hook.output):
            yield from _block(hook)
    for hook in result.hooks:
        if hook.tests is not None:
            yield from _tests(hook.name, hook.tests, quiet=quiet)
    yield verdict(result)


def _table(result: RunResult) -> Table:
    table = Table(title=f"crackjack {result.workflow}", title_justify="left", box=None)
    for column in ("hook", "phase", "status", "duration", "files", "note"):
        table.add_column(column, justify="right" if column in ("duration", "files") else "left")
    for hook in result.hooks:
        table.add_row(
            hook.name,
            hook.phase,
            Text(str(hook.status), style=STYLES[hook.status]),
            seconds(hook.duration),
            str(hook.files) if hook.files else "",
            Text(hook.message, style="dim"),
        )
    return table


def _block(hook: HookResult) -> Iterator[RenderableType]:
    title = f"{hook.name}: {hook.status}" + (f" ({hook.message})" if hook.message else "")
    yield Rule(Text(title, style=STYLES[hook.status]), align="left")
    if hook.output.strip():
        yield Text.from_ansi(hook.output.rstrip("\n"))
    if hook.log_path:
        yield Text(f"(output shortened; all of it is in {hook.log_path})", style="dim")
    if hook.modified:
        yield Text(f"{hook.name} modified: " + ", ".join(hook.modified), style="yellow")


SHOWN_PROBLEMS = 50


def _tests(name: str, report: TestReport, *, quiet: bool) -> Iterator[RenderableType]:
    """The failed tests with pytest's short reason, and the slowest tests."""
    if report.slowest and not quiet:
        table = Table(title=f"{name}: slowest tests", title_justify="left", box=None)
        table.add_column("duration", justify="right")
        table.add_column("test")
        for slow in report.slowest:
            table.add_row(seconds(slow.seconds), slow.nodeid)
        yield table
    if not report.problems:
        return
    yield Text(f"{name}: failed tests", style="bold red")
    for problem in report.problems[:SHOWN_PROBLEMS]:
        line = Text(f"{problem.category.upper()} ", style="red")
        line.append(problem.nodeid)
        if problem.reason:
            line.append(f" - {problem.reason}", style="dim")
        yield line
    if len(report.problems) > SHOWN_PROBLEMS:
        yield Text(f"... and {len(report.problems) - SHOWN_PROBLEMS} more", style="dim")


def verdict(result: RunResult) -> Text:
    took = f"{seconds(result.duration)} ({result.totals.describe()})"
    if result.interrupted_by is not None:
        interrupted = f"interrupted by {signal_name(result.interrupted_by)} after {took}"
        return Text(f"{result.workflow}: {interrupted}", style="bold red")
    if result.failed:
        fixed = any(h.status is HookStatus.FIXED for h in result.hooks)
        hint = "; files were modified: review and stage them" if fixed else ""
        return Text(f"{result.workflow}: failed in {took}{hint}", style="bold red")
    return Text(f"{result.workflow}: passed in {took}", style="bold green")


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
    return Text(text, style="yellow" if notes else "dim")
