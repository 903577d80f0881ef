"""Simple checks run in-process on a worker thread, with no interpreter start per hook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from crackjack.core.errors import ConfigError
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import HookResult
from crackjack.core.runners.hook import FindingsReader, Hook, PlanContext, RunContext
from crackjack.core.runners.outcome import Runs
from crackjack.core.valueclass import replace, value

if TYPE_CHECKING:
    from crackjack.core.run.headstart import Launch


@value(eq=True)
class CheckOutcome:
    """What an in-process check found: ``output`` lines are ``path:line: message``."""

    failed: bool
    output: str = ""
    modified: tuple[str, ...] = ()


class InProcessCheck(Protocol):
    """A check called on a worker thread. ``files`` are relative to ``root``. With ``fix`` the
    check may rewrite files and must name them in ``modified``; without it, it must not write
    anything. It raises ConfigError for arguments it does not take: called with no files, it
    only checks its arguments (so they are checked when the configuration is loaded)."""

    def __call__(
        self, files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
    ) -> CheckOutcome: ...


@value
class InProcess:
    """``check`` is called once per batch of files, and once with none when the configuration
    is loaded, so that a mistake in the hook's ``args`` stops the run before anything runs."""

    check: InProcessCheck
    findings: FindingsReader | None = None

    def program(self, hook: Hook) -> str | None:
        return None

    def describe(self, hook: Hook) -> str:
        return "in-process"

    def configured(self, changes: Mapping[str, Any]) -> InProcess:
        for key in changes:
            raise ConfigError(
                f"{key}: not a setting of a built-in in-process check"
                " (give `command` to run a program instead)"
            )
        return self

    def validate(self, hook: Hook) -> None:
        if hook.requires or hook.python:
            key = "requires" if hook.requires else "python"
            raise ConfigError(f"{key}: an in-process check runs no program to install")
        if hook.args:  # no arguments are always valid
            try:
                self.check((), root=Path(), args=hook.args, fix=False)
            except ConfigError as exc:
                raise ConfigError(f"args: {exc}") from None

    def check_only(self, hook: Hook) -> tuple[Hook, bool]:
        return replace(hook, fixer=False), False

    def plan(self, hook: Hook, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        return HookPlan(
            hook=hook,
            files=files,
            batches=(files,),
            read_findings=context.policy.check_only and self.findings is not None,
            runs="in-process check" + " (fixer)" * hook.fixer,
        )

    def launch(self, plan: HookPlan, context: RunContext) -> Launch | None:
        return None  # in-process: no program to start ahead

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        runs, root = Runs(), context.root
        runs.each(plan, context.cancellation, lambda _, files: self._check(plan, files, root, runs))
        reader = self.findings if plan.read_findings and not runs.start_error else None
        findings = (reader(runs.output, root=root) or ()) if reader else ()
        return runs.result(plan, tuple(runs.modified), program=False, findings=findings)

    def _check(self, plan: HookPlan, files: tuple[str, ...], root: Path, runs: Runs) -> None:
        hook = plan.hook
        try:
            outcome = self.check(files, root=root, args=hook.args, fix=hook.fixer)
        except Exception as exc:
            import traceback

            runs.start_error = f"{type(exc).__name__}: {exc}"
            runs.append(traceback.format_exc())
            return
        runs.append(outcome.output)
        runs.modified.extend(outcome.modified)
        if outcome.failed and not outcome.modified and not runs.returncode:
            runs.returncode = 1
