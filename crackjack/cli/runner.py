"""``crackjack [run]``: from flags to a plan, through the engine, to a summary and an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console
from rich.text import Text

from crackjack.cli.console import make_console
from crackjack.cli.errors import exit_code
from crackjack.cli.github import annotation_lines, on_github
from crackjack.cli.live import LiveView
from crackjack.cli.output import OutputMode, decide, in_ci
from crackjack.cli.plain import PlainLog
from crackjack.cli.planview import plan_table
from crackjack.cli.records import Outputs, Records, step_summary_path
from crackjack.cli.state import RunState
from crackjack.cli.summary import hidden_note, restore_report, summary
from crackjack.cli.timeline import timeline as draw_timeline
from crackjack.core.config.load import Catalogue, Project, build_catalogue, load_project
from crackjack.core.errors import ConfigError
from crackjack.core.files.selection import (
    AllFiles,
    ChangedFiles,
    FileSelection,
    StagedFiles,
    select_files,
)
from crackjack.core.git.hiding import Hidden, unstaged_changes_hidden
from crackjack.core.git.lock import lock_dir_for, run_lock
from crackjack.core.git.recovery import check_no_unfinished_run
from crackjack.core.git.refusals import check_repository
from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import Subscriber, open_bus
from crackjack.core.run.engine import RunControl, run_workflow
from crackjack.core.run.plan import Plan, Selection, build_plan
from crackjack.core.run.results import RunResult
from crackjack.core.run.signals import stop_signals_to
from crackjack.core.testphase.options import Shard, TestOptions, project_python
from crackjack.hooks.catalogue import BUILTIN_HOOKS, BUILTIN_WORKFLOWS
from crackjack.hooks.pytestplugin import PLUGIN


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRequest:
    """The run command's flags, as given. ``hide_unstaged``: git-hook mode (``--staged``)."""

    workflow: str
    hooks: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    settings: Mapping[str, Any]
    files: FileSelection = field(default_factory=AllFiles)
    hide_unstaged: bool = False
    test_args: tuple[str, ...] = ()
    shard: Shard | None = None
    ci: bool | None = None
    outputs: Outputs = field(default_factory=Outputs)
    dry_run: bool = False
    quiet: bool = False
    verbose: bool = False


def load(cwd: Path, settings: Mapping[str, Any]) -> tuple[Project, Catalogue]:
    project = load_project(cwd, settings)
    return project, build_catalogue(project.settings, BUILTIN_HOOKS, BUILTIN_WORKFLOWS)


def make_plan(
    request: RunRequest,
    project: Project,
    catalogue: Catalogue,
    *,
    ci: bool = False,
    junit_dir: Path | None = None,
) -> Plan:
    settings = project.settings
    skip = (*settings.skip, *request.skip)
    selection = Selection(
        workflow=request.workflow,
        only=request.hooks,
        skip=skip,
        skip_origin="--skip" if request.skip else "CRACKJACK_SKIP / skip setting",
    )
    return build_plan(
        catalogue,
        selection,
        root=project.root,
        files=select_files(project.root, request.files),
        exclude=settings.exclude,
        jobs=settings.jobs,
        fail_fast=settings.fail_fast,
        missing_fails=settings.missing_tools == "fail",
        kill_grace=settings.kill_grace,
        tests=_test_options(request, project, junit_dir),
        alongside=_alongside(project, catalogue),
        check_only=ci,
        problems=ci,
    )


def _test_options(request: RunRequest, project: Project, junit_dir: Path | None) -> TestOptions:
    tests = project.settings.tests
    return TestOptions(
        plugin=PLUGIN,
        python=project_python(project.root, tests.python, os.environ),
        args=request.test_args,
        shard=request.shard,
        allow_no_tests=tests.allow_no_tests,
        slowest=tests.slowest,
        junit_dir=junit_dir,
    )


def _alongside(project: Project, catalogue: Catalogue) -> tuple[str, str] | None:
    """The test phase and the phase it may run beside, if the settings allow it."""
    beside = project.settings.tests.alongside
    if beside is None:
        return None
    if beside not in catalogue.phases:
        raise ConfigError(
            f"tool.crackjack.tests.alongside: unknown phase {beside!r}"
            f" (known: {', '.join(catalogue.phases)})"
        )
    return ("tests", beside)


def run(request: RunRequest) -> int:
    env = os.environ
    ci = in_ci(env) if request.ci is None else request.ci
    github = ci and on_github(env)
    stream = sys.stderr if request.outputs.events == "-" else sys.stdout
    mode = decide(stream, env, quiet=request.quiet, verbose=request.verbose, ci=ci)
    console = make_console(stream)
    cwd = Path.cwd()
    project, catalogue = load(cwd, request.settings)
    needs_repo = request.hide_unstaged or isinstance(request.files, StagedFiles | ChangedFiles)
    if cwd != project.root:  # the project was found further up: cwd may be inside .git
        check_repository(cwd, need_repo=False, allow_unmerged=True)
    repo = check_repository(project.root, need_repo=needs_repo)
    if request.dry_run:
        if repo is not None:
            check_no_unfinished_run(repo)
        console.print(plan_table(make_plan(request, project, catalogue, ci=ci)))
        return 0
    outputs = request.outputs
    with (
        Records(outputs, step_summary_path=step_summary_path(github)) as records,
        Cancellation() as cancellation,
    ):
        control = RunControl(cancellation)
        with stop_signals_to(control.interrupt), run_lock(lock_dir_for(project.root)):
            if repo is not None and not request.hide_unstaged:
                # Under the lock: a run still going holds it, so what is found here was stopped.
                # (Hiding unstaged changes makes the same check itself.)
                check_no_unfinished_run(repo)
            with _hidden(repo if request.hide_unstaged else None, console) as hidden:
                plan = make_plan(request, project, catalogue, ci=ci, junit_dir=records.junit_dir)
                records.begin()
                result = anyio.run(
                    _run_controlled, plan, console, mode, github, control, records.subscribers
                )
        code = exit_code(result)
        records.finish(result, exit_code=code)
    _conclude(console, mode, result, hidden, github=github, timeline=outputs.timeline)
    return code


def _conclude(
    console: Console,
    mode: OutputMode,
    result: RunResult,
    hidden: Hidden | None,
    *,
    github: bool,
    timeline: bool,
) -> None:
    """Everything said after the run: the summary, the timeline, annotations, restore notes."""
    for renderable in summary(result, verbose=mode.verbose, quiet=mode.quiet):
        console.print(renderable)
    if timeline:
        console.print(draw_timeline(result, max(20, console.width - 40)))
    if github:
        for line in annotation_lines(result):
            console.print(Text(line))
    if hidden is not None and hidden.files:
        console.print(restore_report(hidden))
    for problem in result.subscriber_errors:
        make_console(stderr=True).print(
            f"crackjack: an output failed and was switched off: {problem}"
        )


@contextmanager
def _hidden(repo: Path | None, console: Console) -> Iterator[Hidden | None]:
    """Unstaged changes hidden while the hooks run (git-hook mode), or nothing."""
    if repo is None:
        yield None
        return
    with unstaged_changes_hidden(repo) as hidden:
        if hidden.recovery_dir is not None:
            console.print(hidden_note(hidden))
        yield hidden


async def _run_controlled(
    plan: Plan,
    console: Console,
    mode: OutputMode,
    github: bool,
    control: RunControl,
    records: list[Subscriber],
) -> RunResult:
    """The run with its outputs: the live view on a terminal, else the plain log."""
    if not mode.live:
        plain = PlainLog(console, quiet=mode.quiet, groups=github)
        return await _run_with_bus(plan, [plain, *records], control)
    state = RunState()
    async with anyio.create_task_group() as group:
        with LiveView(console, state) as view:
            group.start_soon(view.animate)
            result = await _run_with_bus(plan, [state, *records], control)
        group.cancel_scope.cancel()
    return result


async def _run_with_bus(
    plan: Plan, subscribers: list[Subscriber], control: RunControl
) -> RunResult:
    async with open_bus(subscribers) as bus:
        result = await run_workflow(plan, bus, control)
    return replace(result, subscriber_errors=tuple(bus.errors))
