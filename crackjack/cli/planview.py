"""Tables of what would run: the plan (``--dry-run``) and the catalogue (``crackjack hooks``)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from crackjack.cli.escape import safe_name
from crackjack.core.config.load import Catalogue
from crackjack.core.process.programs import (
    GIVEN_PATH,
    FoundProgram,
    ProgramSearch,
    program_version,
)
from crackjack.core.run.plan import HookPlan, Plan
from crackjack.core.run.policy import Policy
from crackjack.core.runners.hook import Hook, PlanContext
from crackjack.core.toolenv.env import ToolEnv, locate


def plan_table(plan: Plan, policy: Policy) -> RenderableType:
    """The plan, hook by hook; ``cached``: how many of its files the result cache holds a pass
    for now (so would not run), blank for a hook that is never cached or a run without it."""
    title = f"plan: workflow {plan.workflow}, {policy.jobs} jobs"
    table = Table(title=title, title_justify="left")
    for column in ("phase", "hook", "files", "cached", "batches"):
        table.add_column(column, no_wrap=True)
    table.add_column("waits for", overflow="fold", ratio=1)
    table.add_column("runs", overflow="fold", ratio=2)
    for phase in plan.phases:
        for hook in phase.hooks:
            if hook.skip_reason:
                runs = Text(hook.skip_reason, style="dim")
            elif hook.missing:
                said = hook.missing_reason or f"{hook.program} not found"
                runs = Text(safe_name(said), style="magenta")
            else:
                runs = Text(safe_name(hook.runs))
            table.add_row(
                phase.name + " (alongside)" * phase.alongside,
                hook.hook.id,
                str(len(hook.files)),
                _cached(hook, plan, policy),
                str(len(hook.batches)),
                "\n".join(hook.waits_for),
                runs,
            )
    return table


def _cached(hook: HookPlan, plan: Plan, policy: Policy) -> str:
    if policy.results is None or hook.skip_reason or hook.missing:
        return ""
    context = PlanContext(root=plan.root, policy=policy, tests=plan.tests)
    cached = policy.results.cached_files(hook, context)
    return "" if cached is None else f"{cached} of {len(hook.files)}"


def catalogue_tables(catalogue: Catalogue, programs: ProgramSearch) -> RenderableType:
    """Every hook with its program (where it is, its version, which environment it came
    from) and its description, and every workflow. Narrow enough for 80 columns; hook ids
    and phases are never cut, the program column wraps."""
    found = {hook.id: _found(hook, programs) for hook in catalogue.hooks.values()}
    versions = _versions(found.values(), programs.root)
    hooks = Table(title="hooks", title_justify="left")
    hooks.add_column("hook", no_wrap=True)
    hooks.add_column("phase", no_wrap=True)
    hooks.add_column("kind", no_wrap=True)
    hooks.add_column("on", no_wrap=True)
    hooks.add_column("program, description", overflow="fold")
    for hook in catalogue.hooks.values():
        program = _program(hook, found[hook.id], versions, programs)
        env = _env(hook)
        if env is not None:
            program.append(_pinned(env))
        if hook.description:
            program.append("\n" + hook.description, style="dim")
        hooks.add_row(
            hook.id,
            hook.phase,
            "fixer" if hook.fixer else "check",
            "yes" if hook.enabled else Text("no", style="dim"),
            program,
        )
    workflows = Table(title="workflows", title_justify="left")
    workflows.add_column("workflow", no_wrap=True)
    for column in ("phases", "description"):
        workflows.add_column(column)
    for workflow in catalogue.workflows.values():
        workflows.add_row(workflow.name, " → ".join(workflow.phases), workflow.description)
    return Group(hooks, Text(""), workflows)


def _env(hook: Hook) -> ToolEnv | None:
    return ToolEnv.pinned(hook.requires, hook.python)


def _found(hook: Hook, programs: ProgramSearch) -> FoundProgram | None:
    program = hook.runner.program(hook)
    return locate(program, programs, _env(hook)) if program else None


def _pinned(env: ToolEnv) -> Text:
    """Its pinned requirements and where their environment is, built or not yet."""
    text = Text(f"\nrequires {safe_name(env.spec.shown)}")
    if env.folder is None:
        return text.append("\nno folder for environments: set CRACKJACK_HOME", style="magenta")
    built = env.built()
    text.append(f"\nenv {safe_name(str(env.folder))}")
    return text.append(" (built)" if built else " (not built yet)", "green" if built else "yellow")


def _versions(found: Iterable[FoundProgram | None], root: Path) -> dict[str, str]:
    """``--version`` of every program found in an environment or on PATH, all at once (a
    script of the project's own is never run for it)."""
    paths = sorted(
        {f.path for f in found if f is not None and f.origin != GIVEN_PATH and not f.problem}
    )
    if not paths:
        return {}
    with ThreadPoolExecutor(max_workers=min(len(paths), 8)) as pool:
        versions = pool.map(lambda path: program_version(path, root), paths)
        return dict(zip(paths, versions, strict=True))


def _program(
    hook: Hook, found: FoundProgram | None, versions: dict[str, str], programs: ProgramSearch
) -> Text:
    program = hook.runner.program(hook)
    if program is None:
        return Text(hook.runner.describe(hook))
    if found is None and _env(hook) is not None:  # built without it, or not built: see below
        return Text(program, style="magenta")
    if found is None:
        install = programs.install_hint(hook.install)
        return Text(f"missing: {program}" + f" ({install})" * bool(install), style="magenta")
    if found.problem:
        return Text(safe_name(found.problem), style="magenta")
    where = Text(safe_name(programs.shown(found.path)), style="green")
    version = versions.get(found.path)
    return where.append(f"\n{version}, {found.origin}" if version else f"\n{found.origin}")
