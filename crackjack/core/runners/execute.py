"""Run one planned hook to its result, on a worker thread."""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crackjack.core.files.fsutil import describe_os_error
from crackjack.core.process.run import Cancellation, ProcessOutcome, ProcessRequest, run_process
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import HookResult, HookStatus, Problem, signal_name
from crackjack.core.runners.hook import CheckOutcome
from crackjack.core.runners.scratch import scratch_copy
from crackjack.core.runners.snapshot import Snapshot

OUTPUT_TAIL = 256 * 1024
_GIT_ENV_KEPT = frozenset(
    {
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_CONFIG_COUNT",
        "GIT_HTTP_PROXY_AUTHMETHOD",
        "GIT_ALLOW_PROTOCOL",
        "GIT_ASKPASS",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What every hook of a run shares."""

    root: Path
    cancellation: Cancellation
    log_dir: Path
    kill_grace: float
    missing_fails: bool


@dataclass(slots=True)
class _Runs:
    returncode: int = 0
    signal: int | None = None
    timed_out: bool = False
    cancelled: bool = False
    start_error: str | None = None
    log_path: str | None = None
    output: str = ""
    modified: list[str] = field(default_factory=list)

    def append(self, text: str) -> None:
        self.output = (self.output + text)[-OUTPUT_TAIL:]

    def add_process(self, outcome: ProcessOutcome) -> None:
        self.append(outcome.text)
        self.timed_out |= outcome.timed_out
        self.cancelled |= outcome.cancelled
        self.start_error = self.start_error or outcome.start_error
        if outcome.spilled_to and not self.log_path:
            self.log_path = str(outcome.spilled_to)
        if outcome.returncode and not self.returncode:
            self.returncode = outcome.returncode
            self.signal = outcome.signal

    def add_check(self, outcome: CheckOutcome) -> None:
        self.append(outcome.output)
        self.modified.extend(outcome.modified)
        unfixed = outcome.failed and not outcome.modified
        if unfixed and not self.returncode:
            self.returncode = 1


def hook_environment(hook_env: Mapping[str, str]) -> dict[str, str]:
    """The process environment without the repository-local ``GIT_*`` variables git sets for us."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") or key in _GIT_ENV_KEPT or key.startswith("GIT_CONFIG_")
    }
    env.update(hook_env)
    return env


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


def missing(plan: HookPlan, context: Context, *, started_at: float) -> HookResult:
    hook = plan.hook
    how = f"install it (`{hook.install}`)" if hook.install else "install it"
    message = (
        f"{hook.program} not found: {how}, or switch the hook off with"
        f" [tool.crackjack.hooks.{hook.id}] enabled = false"
    )
    return ended_at_once(
        plan, HookStatus.MISSING, message, fails_run=context.missing_fails, at=started_at
    )


def execute(plan: HookPlan, context: Context) -> HookResult:
    """Run every batch of ``plan`` and tell what happened, including the files it changed.

    In-process checks name the files they change; a subprocess is watched with a snapshot. A
    ``scratch`` plan runs on a copy of its files: what it changes there fails the hook.
    """
    if not plan.scratch:
        return _execute(plan, context, context.root)
    try:
        with scratch_copy(context.root, plan.files, context.log_dir) as folder:
            return _execute(plan, context, folder)
    except OSError as exc:
        message = f"cannot copy its files to check them: {describe_os_error(exc)}"
        return ended_at_once(plan, HookStatus.ERROR, message, fails_run=True)


def _execute(plan: HookPlan, context: Context, root: Path) -> HookResult:
    started_at, start = time.time(), time.monotonic()
    in_process = plan.hook.check is not None
    snapshot = None if in_process else Snapshot.take(root, plan.files)
    runs = _Runs()
    deadline = start + plan.hook.timeout if plan.hook.timeout else None
    for index, batch in enumerate(plan.batches):
        if context.cancellation.cancelled:
            runs.cancelled = True
            break
        if in_process:
            _run_check(plan, batch, context, runs)
        else:
            request = process_request(plan, batch, index, context, root, deadline)
            runs.add_process(run_process(request, context.cancellation))
        if runs.timed_out or runs.cancelled or runs.start_error:
            break
    modified = tuple(runs.modified) if snapshot is None else snapshot.changed()
    status, message = _status(plan, runs, modified)
    if plan.scratch:
        modified = ()
    problems = _problems(plan, runs, root)
    if problems and plan.hook.problem_args:  # machine-readable output: shown as people read it
        runs.output = "\n".join(map(str, problems)) + "\n"
    return hook_result(
        plan,
        status=status,
        fails_run=status is not HookStatus.PASSED,
        duration=time.monotonic() - start,
        returncode=runs.returncode if plan.hook.check is None else None,
        signal=runs.signal,
        modified=modified,
        output=runs.output,
        log_path=runs.log_path,
        message=message,
        started_at=started_at,
        ended_at=time.time(),
        problems=problems,
    )


def _problems(plan: HookPlan, runs: _Runs, root: Path) -> tuple[Problem, ...]:
    """The findings of a hook asked for machine-readable output; none if it gave other output."""
    reader = plan.hook.problems
    if not plan.read_problems or reader is None or runs.log_path or runs.start_error:
        return ()
    return reader(runs.output, root=root) or ()


def process_request(
    plan: HookPlan,
    batch: tuple[str, ...],
    index: int,
    context: Context,
    root: Path,
    deadline: float | None,
) -> ProcessRequest:
    """How batch ``index`` of ``plan`` is run: in ``root``, without git's own variables, its
    output bounded, the time left until ``deadline``."""
    return ProcessRequest(
        argv=(*plan.argv, *batch),
        cwd=root,
        env=hook_environment(plan.hook.env),
        timeout=None if deadline is None else max(deadline - time.monotonic(), 0.001),
        kill_grace=context.kill_grace,
        tail_bytes=OUTPUT_TAIL,
        spill_path=context.log_dir / f"{plan.hook.id}.{index}.log",
    )


def _run_check(plan: HookPlan, batch: tuple[str, ...], context: Context, runs: _Runs) -> None:
    assert plan.hook.check is not None
    try:
        outcome = plan.hook.check(
            batch, root=context.root, args=plan.hook.args, fix=plan.hook.fixer
        )
    except Exception as exc:
        runs.start_error = f"{type(exc).__name__}: {exc}"
        runs.append(traceback.format_exc())
        return
    runs.add_check(outcome)


def _status(plan: HookPlan, runs: _Runs, modified: tuple[str, ...]) -> tuple[HookStatus, str]:
    if runs.cancelled:
        return HookStatus.INTERRUPTED, ""
    if runs.timed_out:
        return HookStatus.TIMED_OUT, f"timed out after {plan.hook.timeout:g} s"
    if runs.start_error:
        return HookStatus.ERROR, runs.start_error
    if modified and plan.scratch:
        return HookStatus.FAILED, "check-only: would modify " + ", ".join(modified)
    if runs.signal is not None:
        return HookStatus.FAILED, f"killed by {signal_name(runs.signal)}"
    if runs.returncode:
        return HookStatus.FAILED, f"exit code {runs.returncode}" if plan.hook.check is None else ""
    if modified:
        return HookStatus.FIXED, f"modified {len(modified)} file{'s' if len(modified) != 1 else ''}"
    return HookStatus.PASSED, ""
