"""Run a plan: phases in order, the hooks of a phase concurrently on worker threads.

The engine publishes events and returns a ``RunResult``; it never prints. Stopping is
cooperative: ``RunControl.interrupt`` cancels every running process (their runners kill the
process groups) and no further hook starts.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import anyio
import anyio.to_thread

from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import EventBus
from crackjack.core.run.events import (
    Event,
    HookCompleted,
    HookFailed,
    HookStarted,
    PhaseCompleted,
    PhaseFailed,
    PhaseStarted,
    TestProgress,
    WorkflowCompleted,
    WorkflowFailed,
    WorkflowInterrupted,
    WorkflowStarted,
)
from crackjack.core.run.logs import new_run_folder
from crackjack.core.run.plan import HookPlan, PhasePlan, Plan
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import HookResult, PhaseResult, RunResult, TestCounts, Totals
from crackjack.core.runners.hook import Progress, RunContext
from crackjack.core.runners.outcome import missing, skipped


@dataclass(slots=True)
class RunControl:
    """How the outside stops a run; the first signal wins, a second one skips the grace period."""

    cancellation: Cancellation
    signal: int | None = None

    def interrupt(self, signum: int) -> None:
        force = self.signal is not None
        self.signal = self.signal or signum
        self.cancellation.cancel(force=force)


class _Run:
    def __init__(
        self, plan: Plan, policy: Policy, bus: EventBus, control: RunControl, log_dir: Path
    ) -> None:
        self.plan = plan
        self.policy = policy
        self.bus = bus
        self.control = control
        self.run_id = os.urandom(6).hex()
        self.limiter = anyio.CapacityLimiter(policy.jobs)
        self.stop_reason: str | None = None
        self.context = RunContext(
            root=plan.root,
            cancellation=control.cancellation,
            log_dir=log_dir,
            policy=policy,
            tests=plan.tests,
        )

    def publish(self, make: Callable[..., Event], **fields: object) -> None:
        self.bus.publish(make(run_id=self.run_id, timestamp=time.time(), **fields))

    async def workflow(self) -> RunResult:
        names = tuple(p.name for p in self.plan.phases)
        self.publish(WorkflowStarted, workflow=self.plan.workflow, phases=names)
        start = time.monotonic()
        done: dict[str, PhaseResult] = {}
        for stage in self.plan.stages:
            async with anyio.create_task_group() as group:
                for phase in stage:
                    group.start_soon(self.phase, phase, done)
        phases = [done[phase.name] for phase in self.plan.phases]
        result = RunResult(
            workflow=self.plan.workflow,
            phases=tuple(phases),
            duration=time.monotonic() - start,
            interrupted_by=self.control.signal,
        )
        finished = {
            "workflow": self.plan.workflow,
            "phases": names,
            "duration": result.duration,
            "totals": result.totals,
        }
        if result.interrupted_by is not None:
            self.publish(WorkflowInterrupted, signal=result.interrupted_by, **finished)
        else:
            self.publish(WorkflowFailed if result.failed else WorkflowCompleted, **finished)
        return result

    async def phase(self, phase: PhasePlan, done_phases: dict[str, PhaseResult]) -> None:
        ids = tuple(h.hook.id for h in phase.hooks)
        self.publish(PhaseStarted, phase=phase.name, hooks=ids)
        start = time.monotonic()
        done = {hook_id: anyio.Event() for hook_id in ids}
        results: dict[str, HookResult] = {}
        async with anyio.create_task_group() as group:
            for hook in phase.hooks:
                group.start_soon(self.hook_when_ready, hook, done, results)
        result = PhaseResult(
            phase=phase.name,
            hooks=tuple(results[hook_id] for hook_id in ids),
            duration=time.monotonic() - start,
        )
        self.publish(
            PhaseFailed if result.failed else PhaseCompleted,
            phase=phase.name,
            hooks=ids,
            duration=result.duration,
            totals=Totals.of(result.hooks),
        )
        done_phases[phase.name] = result

    async def hook_when_ready(
        self, plan: HookPlan, done: dict[str, anyio.Event], results: dict[str, HookResult]
    ) -> None:
        try:
            for earlier in plan.waits_for:
                await done[earlier].wait()
            async with self.limiter:
                results[plan.hook.id] = await self.hook(plan)
        finally:
            done[plan.hook.id].set()

    async def hook(self, plan: HookPlan) -> HookResult:
        hook = plan.hook
        self.publish(
            HookStarted, phase=hook.phase, hook=hook.id, name=hook.title, files=len(plan.files)
        )
        reason = self._not_run_reason(plan)
        now = time.time()
        if reason is not None:
            result = skipped(plan, reason, started_at=now)
        elif plan.missing:
            result = missing(plan, fails_run=self.policy.missing_fails, started_at=now)
        else:
            context = replace(self.context, progress=self._progress_of(plan))
            result = await anyio.to_thread.run_sync(hook.runner.run, plan, context)
        if result.fails_run and self.policy.fail_fast and self.stop_reason is None:
            self.stop_reason = f"not run: {hook.id} failed and fail-fast is on"
        self.publish(HookFailed if result.fails_run else HookCompleted, result=result)
        return result

    def _progress_of(self, plan: HookPlan) -> Progress:
        def progress(counts: TestCounts, current: str) -> None:
            self.publish(
                TestProgress,
                phase=plan.hook.phase,
                hook=plan.hook.id,
                counts=counts,
                current=current,
            )

        return progress

    def _not_run_reason(self, plan: HookPlan) -> str | None:
        if self.control.signal is not None:
            return "not run: interrupted"
        return self.stop_reason or plan.skip_reason


async def run_workflow(plan: Plan, policy: Policy, bus: EventBus, control: RunControl) -> RunResult:
    """Run ``plan`` under ``policy`` to its end (or until ``control`` is interrupted) and
    return what happened."""
    log_dir = new_run_folder(policy.log_home)
    try:
        result = await _Run(plan, policy, bus, control, log_dir).workflow()
    finally:
        _remove_if_empty(log_dir)
    return result


def _remove_if_empty(folder: Path) -> None:
    if not any(folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
