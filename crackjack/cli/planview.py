"""Tables of what would run: the plan (``--dry-run``) and the catalogue (``crackjack hooks``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from crackjack.core.config.load import Catalogue
from crackjack.core.run.plan import Plan
from crackjack.core.run.policy import Policy
from crackjack.core.runners.hook import Hook


def plan_table(plan: Plan, policy: Policy) -> RenderableType:
    title = f"plan: workflow {plan.workflow}, {policy.jobs} jobs"
    table = Table(title=title, title_justify="left")
    for column in ("phase", "hook", "files", "batches", "waits for", "runs"):
        table.add_column(column)
    for phase in plan.phases:
        for hook in phase.hooks:
            if hook.skip_reason:
                runs = Text(hook.skip_reason, style="dim")
            elif hook.missing:
                runs = Text(f"{hook.program} not found", style="magenta")
            else:
                runs = Text(hook.runs)
            table.add_row(
                phase.name + " (alongside)" * phase.alongside,
                hook.hook.id,
                str(len(hook.files)),
                str(len(hook.batches)),
                ", ".join(hook.waits_for),
                runs,
            )
    return table


def catalogue_tables(catalogue: Catalogue) -> RenderableType:
    hooks = Table(title="hooks", title_justify="left")
    for column in ("hook", "phase", "kind", "enabled", "program", "description"):
        hooks.add_column(column)
    for hook in catalogue.hooks.values():
        hooks.add_row(
            hook.id,
            hook.phase,
            "fixer" if hook.fixer else "check",
            "yes" if hook.enabled else Text("no", style="dim"),
            _program(hook),
            hook.description,
        )
    workflows = Table(title="workflows", title_justify="left")
    for column in ("workflow", "phases", "description"):
        workflows.add_column(column)
    for workflow in catalogue.workflows.values():
        workflows.add_row(workflow.name, " → ".join(workflow.phases), workflow.description)
    return Group(hooks, Text(""), workflows)


def _program(hook: Hook) -> Text:
    program = hook.runner.program(hook)
    if program is None:
        return Text(hook.runner.describe(hook))
    found = hook.runner.executable(hook)
    if found:
        return Text(found, style="green")
    hint = f" ({hook.install})" if hook.install else ""
    return Text(f"missing: {program}{hint}", style="magenta")
