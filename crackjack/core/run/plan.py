"""The plan: pure data computed before anything runs.

Which phases run, which hooks are in each, which files each hook gets, how those files are
split into argument batches, and which earlier hooks of its phase each hook must wait for.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from crackjack.core.config.load import Catalogue
from crackjack.core.errors import ConfigError
from crackjack.core.files.batching import partition
from crackjack.core.files.patterns import FileFilter, TagCache
from crackjack.core.process.programs import resolve_program
from crackjack.core.runners.hook import Hook
from crackjack.core.testphase.options import TestOptions


@dataclass(frozen=True, slots=True)
class Selection:
    """What the command line asked for: a workflow, maybe narrowed to or without some hooks."""

    workflow: str
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    skip_origin: str = "--skip"


@dataclass(frozen=True, slots=True, kw_only=True)
class HookPlan:
    """How one hook runs. ``scratch``: a fixer with no check-only variant in a check-only run,
    run on a copy of its files so that what it would change is known and nothing is written."""

    hook: Hook
    files: tuple[str, ...] = ()
    argv: tuple[str, ...] = ()
    batches: tuple[tuple[str, ...], ...] = ()
    executable: str | None = None
    skip_reason: str | None = None
    waits_for: tuple[str, ...] = ()
    scratch: bool = False
    read_problems: bool = False

    @property
    def writes(self) -> bool:
        """Whether it may write the project's files."""
        return self.hook.fixer and not self.scratch

    @property
    def missing(self) -> bool:
        return self.hook.program is not None and self.executable is None


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """``alongside``: the phase starts together with the one before it instead of after it."""

    name: str
    hooks: tuple[HookPlan, ...]
    alongside: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    workflow: str
    root: Path
    phases: tuple[PhasePlan, ...]
    jobs: int
    fail_fast: bool = False
    missing_fails: bool = True
    kill_grace: float = 2.0
    tests: TestOptions | None = None

    @property
    def hooks(self) -> tuple[HookPlan, ...]:
        return tuple(h for p in self.phases for h in p.hooks)

    @property
    def stages(self) -> tuple[tuple[PhasePlan, ...], ...]:
        """The phases grouped by when they start: one stage after another."""
        stages: list[list[PhasePlan]] = []
        for phase in self.phases:
            if phase.alongside and stages:
                stages[-1].append(phase)
            else:
                stages.append([phase])
        return tuple(tuple(stage) for stage in stages)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def select_hooks(catalogue: Catalogue, selection: Selection) -> dict[str, list[Hook]]:
    """The enabled hooks of the selected workflow, by phase, in declaration order."""
    workflow = catalogue.workflows.get(selection.workflow)
    if workflow is None:
        known = ", ".join(catalogue.workflows)
        raise ConfigError(f"unknown workflow {selection.workflow!r} (known: {known})")
    for hook_id in (*selection.only, *selection.skip):
        if hook_id not in catalogue.hooks:
            known = ", ".join(catalogue.hooks)
            raise ConfigError(f"unknown hook {hook_id!r} (known: {known}; see `crackjack hooks`)")
    for hook_id in selection.only:
        phase = catalogue.hooks[hook_id].phase
        if phase not in workflow.phases:
            raise ConfigError(
                f"hook {hook_id!r} is in phase {phase!r}, which workflow {workflow.name!r}"
                f" does not run ({', '.join(workflow.phases)})"
            )
    by_phase: dict[str, list[Hook]] = {phase: [] for phase in workflow.phases}
    for hook in catalogue.hooks.values():
        wanted = not selection.only or hook.id in selection.only
        if hook.enabled and wanted and hook.phase in by_phase:
            by_phase[hook.phase].append(hook)
    return by_phase


def build_plan(
    catalogue: Catalogue,
    selection: Selection,
    *,
    root: Path,
    files: Sequence[str],
    exclude: Sequence[str] = (),
    jobs: int | None = None,
    fail_fast: bool = False,
    missing_fails: bool = True,
    kill_grace: float = 2.0,
    tests: TestOptions | None = None,
    alongside: tuple[str, str] | None = None,
    check_only: bool = False,
    problems: bool = False,
) -> Plan:
    """``alongside`` (phase, earlier phase): the first starts with the second when it follows it.
    ``check_only``: no hook may write the project's files (fixers run their check variant).
    ``problems``: hooks that can give their findings in a machine-readable form do."""
    tags = TagCache()
    candidates = FileFilter(exclude=tuple(exclude), types=()).select(files, root, tags)
    planned: list[PhasePlan] = []
    for name, hooks in select_hooks(catalogue, selection).items():
        plans = [
            _plan_hook(hook, candidates, root, tags, selection, tests, check_only, problems)
            for hook in hooks
        ]
        beside = alongside is not None and planned and (name, planned[-1].name) == alongside
        planned.append(PhasePlan(name, _order(plans), alongside=bool(beside)))
    phases = tuple(planned)
    return Plan(
        workflow=selection.workflow,
        root=root,
        phases=phases,
        jobs=jobs or default_jobs(),
        fail_fast=fail_fast,
        missing_fails=missing_fails,
        kill_grace=kill_grace,
        tests=tests,
    )


def _checking(hook: Hook) -> tuple[Hook, bool]:
    """A fixer as a check-only run runs it, and whether it needs a scratch copy to do so.

    In-process fixers report instead of fixing; others run their ``check_command``; a fixer
    with neither runs on a scratch copy.
    """
    if not hook.fixer:
        return hook, False
    if hook.check is not None:
        return replace(hook, fixer=False), False
    if hook.check_command is not None:
        return replace(hook, command=hook.check_command, check_command=None, fixer=False), False
    return hook, True


def _plan_hook(
    hook: Hook,
    candidates: Sequence[str],
    root: Path,
    tags: TagCache,
    selection: Selection,
    tests: TestOptions | None,
    check_only: bool,
    problems: bool,
) -> HookPlan:
    hook, scratch = _checking(hook) if check_only else (hook, False)
    read_problems = problems and hook.problems is not None
    if read_problems:
        hook = replace(hook, args=(*hook.args, *hook.problem_args))
    files = tuple(hook.file_filter.select(candidates, root, tags))
    if hook.id in selection.skip:
        return HookPlan(hook=hook, files=files, skip_reason=f"skipped by {selection.skip_origin}")
    if not files:
        return HookPlan(hook=hook, skip_reason="no files to check")
    if hook.check is not None:
        return HookPlan(hook=hook, files=files, batches=(files,), read_problems=read_problems)
    if hook.runner == "pytest":
        if tests is None:
            raise ValueError(f"{hook.id}: a pytest hook needs test options")
        argv = tests.argv(hook.id, hook.args)
        return HookPlan(hook=hook, files=files, argv=argv, batches=((),), executable=tests.python)
    executable = resolve_program(hook.program) if hook.program else None
    argv = _argv(hook, executable)
    planned = HookPlan(
        hook=hook,
        files=files,
        argv=argv,
        executable=executable,
        scratch=scratch,
        read_problems=read_problems,
    )
    if not hook.pass_filenames:
        return replace(planned, batches=((),))
    arguments = [
        name if hook.dashdash or not name.startswith("-") else f"./{name}" for name in files
    ]
    return replace(planned, batches=tuple(partition(argv, arguments)))


def _argv(hook: Hook, executable: str | None) -> tuple[str, ...]:
    if hook.shell:
        return ("/bin/sh", "-c", f'{hook.command[0]} "$@"', hook.id, *hook.args)
    separator = ("--",) if hook.dashdash and hook.pass_filenames else ()
    return (executable or hook.command[0], *hook.command[1:], *hook.args, *separator)


def _order(hooks: list[HookPlan]) -> tuple[HookPlan, ...]:
    """Give each hook the earlier hooks it must not run beside: a fixer and a hook sharing files."""
    file_sets = [set(h.files) for h in hooks]
    ordered = []
    for j, later in enumerate(hooks):
        waits = tuple(
            earlier.hook.id
            for i, earlier in enumerate(hooks[:j])
            if _conflict(earlier, later, file_sets[i], file_sets[j])
        )
        ordered.append(replace(later, waits_for=waits))
    return tuple(ordered)


def _conflict(a: HookPlan, b: HookPlan, files_a: set[str], files_b: set[str]) -> bool:
    if a.hook.serial or b.hook.serial:
        return True
    return (a.writes or b.writes) and not files_a.isdisjoint(files_b)
