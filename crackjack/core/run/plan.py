"""The plan: pure data computed before anything runs.

Which phases run, which hooks are in each, which files each hook gets, how its runner splits
them into argument batches, and which earlier hooks of its phase each hook must wait for.
How the plan then runs (jobs, fail-fast, check-only...) is the policy's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import FileFilter, TagCache
from crackjack.core.files.touchable import FileModes
from crackjack.core.runners.hook import Hook, PlanContext
from crackjack.core.valueclass import field, replace, value

if TYPE_CHECKING:
    from crackjack.core.config.load import Catalogue
    from crackjack.core.run.policy import Policy
    from crackjack.core.testphase.options import TestOptions
    from crackjack.core.toolenv.env import ToolEnv


@value
class Selection:
    """What was asked for: a workflow, maybe narrowed to some hooks; ``skip`` gives each hook
    skipped on purpose the reason it is shown with (``skipped by --skip``)."""

    workflow: str
    only: tuple[str, ...] = ()
    skip: Mapping[str, str] = field(default_factory=dict)


@value(kw_only=True)
class HookPlan:
    """How one hook runs: its runner's argv (none for in-process checks) and batches of its
    files, the ``program`` it needs and where it was found (``executable``), and ``runs``, a
    line saying what runs. ``scratch``: a fixer with no check-only variant in a check-only
    run, run on a copy of its files so that what it would change is known and nothing is
    written. ``read_findings``: the output is read for findings with their places.
    ``env``: the pinned environment its program comes from (``requires``); ``env_pending``:
    not built yet, the engine builds it before the hook runs and plans the hook again.
    ``missing_reason``: why the program is missing, when not that it is not installed."""

    hook: Hook
    files: tuple[str, ...] = ()
    argv: tuple[str, ...] = ()
    batches: tuple[tuple[str, ...], ...] = ()
    program: str | None = None
    executable: str | None = None
    runs: str = ""
    skip_reason: str | None = None
    waits_for: tuple[str, ...] = ()
    scratch: bool = False
    read_findings: bool = False
    env: ToolEnv | None = None
    env_pending: bool = False
    missing_reason: str = ""

    @property
    def writes(self) -> bool:
        """Whether it may write the project's files."""
        return self.hook.fixer and not self.scratch

    @property
    def missing(self) -> bool:
        if self.missing_reason:
            return True
        return self.program is not None and self.executable is None and not self.env_pending


@value
class PhasePlan:
    """``alongside``: the phase starts together with the one before it instead of after it."""

    name: str
    hooks: tuple[HookPlan, ...]
    alongside: bool = False


@value(kw_only=True)
class Plan:
    """What a run will do: the workflow's phases with their hooks, planned in ``root``."""

    workflow: str
    root: Path
    phases: tuple[PhasePlan, ...]
    tests: TestOptions | None = None

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


def check_selection(catalogue: Catalogue, selection: Selection) -> None:
    """Raise a ConfigError unless the catalogue has the workflow and the hooks asked for."""
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


def select_hooks(catalogue: Catalogue, selection: Selection) -> dict[str, list[Hook]]:
    """The enabled hooks of the selected workflow (``check_selection``), by phase, in
    declaration order."""
    workflow = catalogue.workflows[selection.workflow]
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
    policy: Policy,
    tests: TestOptions | None = None,
    modes: FileModes | None = None,
) -> Plan:
    """What ``selection`` (checked: ``check_selection``) runs on ``files`` (relative to
    ``root``) under ``policy``; ``modes``: the files' modes the selection looked at."""
    tags = TagCache(modes)
    every = FileFilter(include=catalogue.files, exclude=catalogue.exclude, types=())
    candidates = every.select(files, root, tags)
    context = PlanContext(root=root, policy=policy, tests=tests)
    planned: list[PhasePlan] = []
    for name, hooks in select_hooks(catalogue, selection).items():
        plans = [_plan_hook(hook, candidates, tags, selection, context) for hook in hooks]
        beside = bool(planned) and (name, planned[-1].name) == catalogue.alongside
        planned.append(PhasePlan(name, _order(plans), alongside=beside))
    return Plan(workflow=selection.workflow, root=root, phases=tuple(planned), tests=tests)


def _plan_hook(
    hook: Hook,
    candidates: Sequence[str],
    tags: TagCache,
    selection: Selection,
    context: PlanContext,
) -> HookPlan:
    scratch = False
    if context.policy.check_only and hook.fixer:
        hook, scratch = hook.runner.check_only(hook)
    files = tuple(hook.file_filter.select(candidates, context.root, tags))
    if hook.id in selection.skip:
        return HookPlan(hook=hook, files=files, skip_reason=selection.skip[hook.id])
    if not files and not hook.always_run:
        return HookPlan(hook=hook, skip_reason="no files to check")
    return replace(hook.runner.plan(hook, files, context), scratch=scratch)


def replanned(plan: HookPlan, context: PlanContext) -> HookPlan:
    """``plan`` made again now that its pinned environment is built: the files it was given,
    the order it keeps."""
    again = plan.hook.runner.plan(plan.hook, plan.files, context)
    if again.env_pending:  # removed as soon as built: say so rather than wait for ever
        reason = f"its environment ({again.env and again.env.spec.shown}) vanished once built"
        return replace(plan, env_pending=False, missing_reason=reason)
    return replace(again, scratch=plan.scratch, waits_for=plan.waits_for)


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
