"""Results of hooks, for every runner: what one hook's batches added up to, and the results of
hooks that ended without running anything."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crackjack.core.process.capture import Kept
from crackjack.core.run.results import HookResult, HookStatus, OutputGap, signal_name
from crackjack.core.valueclass import field, record, replace

if TYPE_CHECKING:
    from crackjack.core.process.run import Cancellation, ProcessOutcome
    from crackjack.core.run.plan import HookPlan

BatchRun = Callable[[int, tuple[str, ...]], None]


@record
class Runs:
    """What the batches of one hook added up to, batch by batch, since it started."""

    started_at: float = field(default_factory=time.time)
    start: float = field(default_factory=time.monotonic)
    returncode: int = 0
    signal: int | None = None
    timed_out: bool = False
    cancelled: bool = False
    start_error: str | None = None
    log_path: str | None = None
    kept: Kept = field(default_factory=Kept)
    modified: list[str] = field(default_factory=list)

    def each(self, plan: HookPlan, cancellation: Cancellation, run: BatchRun) -> None:
        """``run`` each batch (with its index) until one stops the hook or the run is
        cancelled."""
        for index, batch in enumerate(plan.batches):
            if cancellation.cancelled:
                self.cancelled = True
                return
            run(index, batch)
            if self.timed_out or self.cancelled or self.start_error is not None:
                return

    def result(
        self, plan: HookPlan, modified: tuple[str, ...], *, program: bool, **fields: Any
    ) -> HookResult:
        """The hook's result; ``program``: it ran one, whose failures have an exit code (an
        in-process check's output says what it found). A scratch copy's changes are not the
        project's: they fail the hook but are not reported as modified."""
        status, message = self.status(plan, modified, exit_code_message=program)
        return hook_result(
            plan,
            status=status,
            fails_run=status is not HookStatus.PASSED,
            duration=time.monotonic() - self.start,
            modified=() if plan.scratch else modified,
            **output_fields(self.kept),
            message=message,
            started_at=self.started_at,
            ended_at=time.time(),
            **fields,
        )

    @property
    def output(self) -> str:
        return self.kept.text

    @output.setter
    def output(self, text: str) -> None:
        self.kept = Kept(text)

    def append(self, text: str) -> None:
        self.kept = self.kept.then(Kept(text))

    def add_process(self, outcome: ProcessOutcome) -> None:
        self.kept = self.kept.then(outcome.kept)
        self.timed_out |= outcome.timed_out
        self.cancelled |= outcome.cancelled
        self.start_error = self.start_error or outcome.start_error
        if outcome.spilled_to and not self.log_path:
            self.log_path = str(outcome.spilled_to)
        if outcome.returncode and not self.returncode:
            self.returncode = outcome.returncode
            self.signal = outcome.signal

    def status(
        self, plan: HookPlan, modified: tuple[str, ...], *, exit_code_message: bool = True
    ) -> tuple[HookStatus, str]:
        """The hook's status and message; ``exit_code_message``: say the exit code of a
        failure (a program's; an in-process check's output says what it found)."""
        if self.cancelled:
            return HookStatus.INTERRUPTED, ""
        if self.timed_out:
            return HookStatus.TIMED_OUT, f"timed out after {plan.hook.timeout:g} s"
        if self.start_error:
            return HookStatus.ERROR, self.start_error
        if modified and plan.scratch:
            return HookStatus.FAILED, "check-only: would modify " + ", ".join(modified)
        if self.signal is not None:
            return HookStatus.FAILED, f"killed by {signal_name(self.signal)}"
        if self.returncode:
            return HookStatus.FAILED, f"exit code {self.returncode}" * exit_code_message
        if modified:
            return HookStatus.FIXED, modified_message(modified)
        return HookStatus.PASSED, ""


def modified_message(modified: tuple[str, ...]) -> str:
    count = len(modified)
    return f"modified {count} file{'s' if count != 1 else ''}"


def without_changes_of_others(result: HookResult, others: frozenset[str]) -> HookResult:
    """``result`` without the files of ``others`` among those it modified: what hooks running
    beside it changed (a hook started early sees the fixers' changes to its files)."""
    modified = tuple(name for name in result.modified if name not in others)
    if modified == result.modified:
        return result
    if result.status is not HookStatus.FIXED:
        return replace(result, modified=modified)
    if modified:
        return replace(result, modified=modified, message=modified_message(modified))
    return replace(result, modified=(), status=HookStatus.PASSED, fails_run=False, message="")


def output_fields(kept: Kept) -> dict[str, Any]:
    """A hook result's ``output`` and ``gap`` from what was kept of it."""
    gap = None if kept.omitted is None else OutputGap(len(kept.head), kept.omitted)
    return {"output": kept.text, "gap": gap}


def hook_result(plan: HookPlan, **fields: Any) -> HookResult:
    hook = plan.hook
    return HookResult(
        hook=hook.id, name=hook.title, phase=hook.phase, files=len(plan.files), **fields
    )


def ended_at_once(
    plan: HookPlan, status: HookStatus, message: str, *, fails_run: bool, at: float | None = None
) -> HookResult:
    """The result of a hook that ended without running anything."""
    now = time.time() if at is None else at
    return hook_result(
        plan, status=status, fails_run=fails_run, message=message, started_at=now, ended_at=now
    )


def skipped(plan: HookPlan, reason: str, *, started_at: float) -> HookResult:
    return ended_at_once(plan, HookStatus.SKIPPED, reason, fails_run=False, at=started_at)


def missing(plan: HookPlan, *, fails_run: bool, started_at: float) -> HookResult:
    hook = plan.hook
    how = f"install it (`{hook.install}`)" if hook.install else "install it"
    message = plan.missing_reason or (
        f"{plan.program} not found: {how}, or switch the hook off with"
        f" [tool.crackjack.hooks.{toml_key(hook.id)}] enabled = false"
    )
    return ended_at_once(plan, HookStatus.MISSING, message, fails_run=fails_run, at=started_at)


def toml_key(key: str) -> str:
    """``key`` as TOML writes it in a table name: bare when it can be, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)
