"""Hooks crackjack cannot run (a pre-commit hook in another language, from an unknown
repository...): planned like any other, they end as missing with the reason, never skipped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crackjack.core.errors import ConfigError
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import HookResult, HookStatus
from crackjack.core.runners.hook import Hook, PlanContext, RunContext
from crackjack.core.runners.outcome import ended_at_once
from crackjack.core.valueclass import replace, value

if TYPE_CHECKING:
    from crackjack.core.run.headstart import Launch


@value(eq=True)
class Unavailable:
    """``reason``: why the hook cannot run here and what to do instead."""

    reason: str

    def program(self, hook: Hook) -> str | None:
        return None

    def describe(self, hook: Hook) -> str:
        return f"cannot run: {self.reason}"

    def configured(self, changes: Mapping[str, Any]) -> Unavailable:
        for key in changes:
            raise ConfigError(f"{key}: this hook cannot run here ({self.reason})")
        return self

    def validate(self, hook: Hook) -> None:
        """Always valid: what is wrong is told when it runs."""

    def check_only(self, hook: Hook) -> tuple[Hook, bool]:
        return replace(hook, fixer=False), False

    def plan(self, hook: Hook, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        return HookPlan(hook=hook, files=files, batches=(files,), runs=self.describe(hook))

    def launch(self, plan: HookPlan, context: RunContext) -> Launch | None:
        return None  # nothing runs

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        fails = context.policy.missing_fails
        return ended_at_once(plan, HookStatus.MISSING, self.reason, fails_run=fails)
