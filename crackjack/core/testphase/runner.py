"""pytest hooks: run the project's tests, follow them through crackjack's plugin, and say
honestly how the run ended.

The plugin (``pytestplugin/crackjack_pytest``) writes one JSON object per line on a pipe whose
number it finds in its environment (``wire``); the runner tallies them as they come, reports
progress, and turns pytest's exit code into a status and a message of its own for each case.
"""

from __future__ import annotations

import heapq
import json
import os
import shlex
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crackjack.core.errors import ConfigError
from crackjack.core.process.run import ProcessOutcome, ProcessRequest, SideChannel, run_process
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import (
    HookResult,
    HookStatus,
    TestCounts,
    TestDuration,
    TestProblem,
    TestReport,
    signal_name,
)
from crackjack.core.runners.hook import Hook, PlanContext, Progress, RunContext
from crackjack.core.runners.outcome import hook_result, output_fields
from crackjack.core.runners.request import process_request
from crackjack.core.testphase import pytestplugin
from crackjack.core.testphase.options import TestOptions
from crackjack.core.testphase.pytestplugin.crackjack_pytest import wire
from crackjack.core.valueclass import replace, value

if TYPE_CHECKING:
    from crackjack.core.run.headstart import Launch

PROGRESS_INTERVAL = 0.1
"""Seconds between two progress reports (the first and the last always go out)."""

_COUNTED = {
    "passed": "passed",
    "failed": "failed",
    "error": "errors",
    "skipped": "skipped",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
}
_PROBLEMS = ("failed", "error")


class Tally:
    """pytest's outcomes as the plugin reports them, counted the way pytest counts them."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(
            ("collected", "deselected", *_COUNTED.values()), 0
        )
        self.problems: list[TestProblem] = []
        self.durations: dict[str, float] = {}
        self.current = ""
        self.coverage: float | None = None
        self.coverage_required: float | None = None
        self.changed = False

    def feed(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == wire.COLLECTED:
            self.counts["collected"] = int(message["count"])
        elif kind == wire.DESELECTED:
            self.counts["deselected"] += int(message["count"])
        elif kind == wire.START:
            self.current = str(message["nodeid"])
        elif kind == wire.REPORT:
            self._report(message)
        elif kind == wire.FINISHED:
            self.durations[str(message["nodeid"])] = float(message["duration"])
        elif kind == wire.COVERAGE:
            self.coverage = _number(message.get("total"))
            self.coverage_required = _number(message.get("fail_under"))
        else:
            return
        self.changed = True

    def _report(self, message: dict[str, Any]) -> None:
        category = str(message["category"])
        if category in _COUNTED:
            self.counts[_COUNTED[category]] += 1
        if category in _PROBLEMS:
            problem = TestProblem(str(message["nodeid"]), category, str(message.get("reason", "")))
            self.problems.append(problem)

    @property
    def totals(self) -> TestCounts:
        return TestCounts(**self.counts)

    def report(self, options: TestOptions) -> TestReport:
        slowest = heapq.nlargest(options.slowest, self.durations.items(), key=lambda i: i[1])
        return TestReport(
            counts=self.totals,
            problems=tuple(self.problems),
            slowest=tuple(TestDuration(nodeid, seconds) for nodeid, seconds in slowest),
            coverage=self.coverage,
            coverage_required=self.coverage_required,
            last_started=self.current,
            python=options.python,
            shard=str(options.shard or ""),
        )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class _Lines:
    """Splits the side channel into lines and feeds them to the tally; reports progress."""

    def __init__(self, tally: Tally, progress: Progress) -> None:
        self._tally = tally
        self._progress = progress
        self._pending = b""
        self._last: float | None = None

    def __call__(self, data: bytes) -> None:
        *lines, self._pending = (self._pending + data).split(b"\n")
        for line in lines:
            self._feed(line)
        self._report_progress(final=False)

    def _feed(self, line: bytes) -> None:
        try:
            text = line.decode(errors="replace")  # from bytes, json.loads detects each encoding
            message = json.loads(text)
            if isinstance(message, dict):
                self._tally.feed(message)
        except (ValueError, KeyError, TypeError):
            return  # a line the plugin did not write whole (or another writer): not ours

    def _report_progress(self, *, final: bool) -> None:
        now = time.monotonic()
        due = self._last is None or now - self._last >= PROGRESS_INTERVAL
        if self._tally.changed and (due or final):
            self._tally.changed = False
            self._last = now
            self._progress(self._tally.totals, self._tally.current)

    def close(self) -> None:
        self._report_progress(final=True)


@value
class Pytest:
    """Runs ``<python> -m pytest -p <plugin> <hook args> <args after -->`` in the project's
    environment (``TestOptions``), with the plugin's folder on ``PYTHONPATH``."""

    def program(self, hook: Hook) -> str | None:
        return None  # the interpreter is chosen (and checked) by the test options

    def describe(self, hook: Hook) -> str:
        return "pytest, in the project's environment"

    def configured(self, changes: Mapping[str, Any]) -> Pytest:
        for key in changes:
            raise ConfigError(f"{key}: not a setting of a pytest hook (it runs pytest itself)")
        return self

    def validate(self, hook: Hook) -> None:
        """Every pytest hook can run, in the project's environment (never a pinned one)."""
        if hook.requires or hook.python:
            key = "requires" if hook.requires else "python"
            raise ConfigError(
                f"{key}: pytest runs in the project's environment ([tool.crackjack.tests] python)"
            )

    def check_only(self, hook: Hook) -> tuple[Hook, bool]:
        return hook, False  # pytest writes no project file

    def plan(self, hook: Hook, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        options = _options(context.tests, hook)
        junit = context.policy.junit_dir
        junit_args = () if junit is None else (f"--junitxml={junit / hook.id}.xml",)
        plugin = ("-p", pytestplugin.MODULE)
        argv = (options.python, "-m", "pytest", *plugin, *hook.args, *options.args, *junit_args)
        shard = f"  (shard {options.shard})" if options.shard else ""
        return HookPlan(
            hook=hook,
            files=files,
            argv=argv,
            batches=((),),
            executable=options.python,
            runs=shlex.join(argv) + shard,
        )

    def launch(self, plan: HookPlan, context: RunContext) -> Launch | None:
        return None  # pytest reports on a side channel, which a program started ahead has not

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        """Run the tests to their end and describe them (status, message, tests)."""
        options = _options(context.tests, plan.hook)
        started_at, start = time.time(), time.monotonic()
        tally = Tally()
        receiver = _Lines(tally, context.progress)
        request = _request(plan, context, options, receiver)
        outcome = run_process(request, context.cancellation, context.started)
        receiver.close()
        status, message = _verdict(outcome, tally, plan, options)
        return hook_result(
            plan,
            status=status,
            fails_run=status not in (HookStatus.PASSED, HookStatus.SKIPPED),
            duration=time.monotonic() - start,
            returncode=outcome.returncode,
            signal=outcome.signal,
            **output_fields(outcome.kept),
            log_path=None if outcome.spilled_to is None else str(outcome.spilled_to),
            message=message,
            started_at=started_at,
            ended_at=time.time(),
            tests=tally.report(options),
        )


def _options(options: TestOptions | None, hook: Hook) -> TestOptions:
    if options is None:
        raise ValueError(f"{hook.id}: a pytest hook needs test options")
    return options


def _request(
    plan: HookPlan, context: RunContext, options: TestOptions, receiver: _Lines
) -> ProcessRequest:
    """A hook's process request, with the plugin importable, the shard, and the side channel."""
    deadline = None if plan.hook.timeout is None else time.monotonic() + plan.hook.timeout
    request = process_request(plan, (), 0, context, context.root, deadline)
    env = dict(request.env or {})
    env.pop(wire.SHARD_ENV, None)
    if options.shard is not None:
        env[wire.SHARD_ENV] = str(options.shard)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(pytestplugin.FOLDER), env.get("PYTHONPATH", "")) if part
    )
    return replace(request, env=env, side_channel=SideChannel(wire.REPORT_FD_ENV, receiver))


def _verdict(
    outcome: ProcessOutcome, tally: Tally, plan: HookPlan, options: TestOptions
) -> tuple[HookStatus, str]:
    """A status and a message for every way pytest can end."""
    counts = tally.totals
    during = f" while running {tally.current}" if tally.current else ""
    if outcome.cancelled:
        return HookStatus.INTERRUPTED, f"interrupted{during}"
    if outcome.timed_out:
        return HookStatus.TIMED_OUT, f"timed out after {plan.hook.timeout:g} s{during}"
    if outcome.start_error is not None:
        return HookStatus.ERROR, f"cannot start {options.python}: {outcome.start_error}"
    if outcome.signal is not None:
        return HookStatus.FAILED, f"pytest crashed: killed by {signal_name(outcome.signal)}{during}"
    if outcome.returncode == 1 and b"No module named pytest" in outcome.output:
        return HookStatus.MISSING, (
            f"pytest is not installed for {options.python}:"
            f" `{options.python} -m pip install pytest`, or choose the interpreter with"
            " [tool.crackjack.tests] python = ..."
        )
    return _by_exit_code(outcome.returncode or 0, counts, tally, options)


def _by_exit_code(
    code: int, counts: TestCounts, tally: Tally, options: TestOptions
) -> tuple[HookStatus, str]:
    said = counts.describe() + _coverage_note(tally)
    if code == 0:
        return HookStatus.PASSED, said
    if code == 1:
        below = _coverage_below(tally)
        if below and not counts.failed and not counts.errors:
            return HookStatus.FAILED, below
        return HookStatus.FAILED, said
    if code == 2:
        errors = sum(1 for p in tally.problems if p.category == "error")
        if errors and not counts.done:
            return HookStatus.FAILED, f"interrupted: {errors} error(s) during collection"
        return HookStatus.FAILED, f"pytest was interrupted (exit code 2); {said}"
    if code == 3:
        return HookStatus.FAILED, "pytest had an internal error (exit code 3): see its output"
    if code == 4:
        return HookStatus.FAILED, (
            "pytest usage error (exit code 4): check [tool.crackjack.hooks.pytest] args"
            " and the arguments after --"
        )
    if code == 5:
        if options.allow_no_tests:
            return HookStatus.PASSED, "no tests collected (allowed by tests.allow-no-tests)"
        return HookStatus.FAILED, (
            "no tests collected (exit code 5); if that is expected, set"
            " [tool.crackjack.tests] allow-no-tests = true"
        )
    return HookStatus.FAILED, f"exit code {code}; {said}"


def _coverage_note(tally: Tally) -> str:
    return "" if tally.coverage is None else f"; coverage {tally.coverage:.1f}%"


def _coverage_below(tally: Tally) -> str:
    total, required = tally.coverage, tally.coverage_required
    if total is None or required is None or total >= required:
        return ""
    return f"coverage {total:.2f}% is under the required {required:g}%"
