from __future__ import annotations

import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from crackjack.core.config.load import Catalogue, Workflow
from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import EventBus, Subscriber
from crackjack.core.run.engine import RunControl, run_workflow
from crackjack.core.run.events import (
    Event,
    HookFailed,
    HookFinished,
    HookStarted,
    PhaseFinished,
    PhaseStarted,
    WorkflowFinished,
    WorkflowInterrupted,
    WorkflowStarted,
)
from crackjack.core.run.plan import Plan, Selection
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import HookStatus, RunResult
from crackjack.core.runners.hook import Hook
from crackjack.core.runners.inprocess import CheckOutcome, InProcess
from tests.plans import command_hook, plan_for, policy_of
from tests.processes import wait_gone

WORKFLOWS = {"all": Workflow("all", ("fast", "late"))}


hook = command_hook


def make_plan(
    root: Path, hooks: Sequence[Hook], files: Sequence[str] = ("a.txt",), **options: Any
) -> tuple[Plan, Policy]:
    for name in files:
        if not (root / name).exists():
            (root / name).write_text("start\n")
    catalogue = Catalogue(hooks={h.id: h for h in hooks}, workflows=WORKFLOWS)
    plan = plan_for(catalogue, Selection("all"), root=root, files=files, **options)
    return plan, policy_of(**options)


def run(
    planned: tuple[Plan, Policy], *subscribers: Subscriber, control: RunControl | None = None
) -> tuple[RunResult, list[Event], list[str]]:
    plan, policy = planned
    events: list[Event] = []

    bus = EventBus([events.append, *subscribers])
    with Cancellation() as cancellation:
        result = run_workflow(plan, policy, bus, control or RunControl(cancellation))
    return result, events, bus.errors


def statuses(result: RunResult) -> dict[str, HookStatus]:
    return {h.hook: h.status for h in result.hooks}


def test_every_started_event_has_one_matching_end(tmp_path: Path) -> None:
    hooks = [
        hook("ok"),
        hook("bad", "raise SystemExit(3)"),
        hook("none", files=("*.md",)),
        hook("later", phase="late"),
    ]
    result, events, errors = run(make_plan(tmp_path, hooks, jobs=2))
    assert errors == []
    assert isinstance(events[0], WorkflowStarted)
    assert isinstance(events[-1], WorkflowFinished)
    assert type(events[-1]).__name__ == "WorkflowFailed"
    started = [(e.phase, e.hook) for e in events if isinstance(e, HookStarted)]
    ended = [(e.phase, e.hook) for e in events if isinstance(e, HookFinished)]
    assert sorted(started) == sorted(ended) == sorted(set(started))
    assert len(started) == 4
    for key in started:
        begin = next(
            i
            for i, e in enumerate(events)
            if isinstance(e, HookStarted) and (e.phase, e.hook) == key
        )
        end = next(
            i
            for i, e in enumerate(events)
            if isinstance(e, HookFinished) and (e.phase, e.hook) == key
        )
        assert begin < end
    phases = [e for e in events if isinstance(e, PhaseStarted | PhaseFinished)]
    assert [(type(e).__name__, e.phase) for e in phases] == [
        ("PhaseStarted", "fast"),
        ("PhaseFailed", "fast"),
        ("PhaseStarted", "late"),
        ("PhaseCompleted", "late"),
    ]
    assert {e.run_id for e in events} == {events[0].run_id}
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)
    failed = [e for e in events if isinstance(e, HookFailed)]
    assert [e.hook for e in failed] == ["bad"]
    assert failed[0].result.returncode == 3
    phase_durations = [e.duration for e in events if isinstance(e, PhaseFinished)]
    assert all(h.duration <= phase_durations[0] for h in result.phases[0].hooks)
    assert sum(phase_durations) <= result.duration
    assert statuses(result) == {
        "ok": HookStatus.PASSED,
        "bad": HookStatus.FAILED,
        "none": HookStatus.SKIPPED,
        "later": HookStatus.PASSED,
    }


def test_a_subscriber_that_raises_does_not_break_the_run(tmp_path: Path) -> None:
    def broken(event: Event) -> None:
        if isinstance(event, HookStarted):
            raise RuntimeError("boom")

    result, events, errors = run(make_plan(tmp_path, [hook("a"), hook("b")]), broken)
    assert not result.failed
    assert len(errors) == 1
    assert "boom" in errors[0]
    assert isinstance(events[-1], WorkflowFinished)


def test_hooks_run_concurrently_on_worker_threads(tmp_path: Path) -> None:
    barrier = (
        "import os, time\n"
        "open(os.environ['ME'], 'w').close()\n"
        "while not os.path.exists(os.environ['OTHER']): time.sleep(0.01)"
    )
    a, b = tmp_path / "a.flag", tmp_path / "b.flag"
    hooks = [
        hook("a", barrier, env={"ME": str(a), "OTHER": str(b)}, timeout=20),
        hook("b", barrier, env={"ME": str(b), "OTHER": str(a)}, timeout=20),
    ]
    result, _, _ = run(make_plan(tmp_path, hooks, jobs=2))
    assert statuses(result) == {"a": HookStatus.PASSED, "b": HookStatus.PASSED}


APPEND = "import sys\nfor n in sys.argv[1:]:\n    open(n, 'a').write('{0}\\n')\n"


def test_fixers_on_the_same_files_give_one_deterministic_result(tmp_path: Path) -> None:
    files = [f"f{i}.txt" for i in range(5)]
    hooks = [hook(name, APPEND.format(name), fixer=True) for name in ("one", "two", "three")]
    for _ in range(5):
        for name in files:
            (tmp_path / name).write_text("start\n")
        result, _, _ = run(make_plan(tmp_path, hooks, files, jobs=3))
        for name in files:
            assert (tmp_path / name).read_text() == "start\none\ntwo\nthree\n"
        assert all(h.status is HookStatus.FIXED for h in result.hooks)
        assert all(h.modified == tuple(files) for h in result.hooks)


def test_a_hook_that_changes_files_is_reported_as_fixed(tmp_path: Path) -> None:
    result, _, _ = run(make_plan(tmp_path, [hook("sneaky", APPEND.format("x"))]))
    assert result.hooks[0].status is HookStatus.FIXED
    assert result.hooks[0].modified == ("a.txt",)
    assert result.failed


def test_fail_fast_stops_starting_hooks(tmp_path: Path) -> None:
    hooks = [hook("bad", "raise SystemExit(1)"), hook("next"), hook("later", phase="late")]
    result, _, _ = run(make_plan(tmp_path, hooks, jobs=1, fail_fast=True))
    assert statuses(result) == {
        "bad": HookStatus.FAILED,
        "next": HookStatus.SKIPPED,
        "later": HookStatus.SKIPPED,
    }
    assert result.hooks[1].message == "not run: bad failed and fail-fast is on"


SPAWN = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "open(sys.argv[-1] if len(sys.argv) > 1 else 'pids', 'w').write(f'{{child.pid}}')\n"
    "print('started', flush=True)\n"
    "time.sleep(60)\n"
)


def test_a_hook_past_its_timeout_is_killed_with_its_children(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, [hook("slow", SPAWN.format(), timeout=0.5, pass_filenames=False)])
    begin = time.monotonic()
    result, _, _ = run(plan)
    assert time.monotonic() - begin < 20
    only = result.hooks[0]
    assert only.status is HookStatus.TIMED_OUT
    assert only.message == "timed out after 0.5 s"
    assert "started" in only.output
    assert wait_gone([int((tmp_path / "pids").read_text())]) == []


def test_interrupting_a_run_kills_its_processes(tmp_path: Path) -> None:
    cancellation = Cancellation()
    control = RunControl(cancellation)
    plan = make_plan(
        tmp_path, [hook("slow", SPAWN.format(), pass_filenames=False), hook("later", phase="late")]
    )

    def interrupt_once_started(event: Event) -> None:
        if isinstance(event, HookStarted):
            pids = tmp_path / "pids"

            def interrupt() -> None:
                _wait_for(pids)
                control.interrupt(signal.SIGINT)

            threading.Thread(target=interrupt).start()

    result, events, _ = run(plan, interrupt_once_started, control=control)
    cancellation.close()
    assert result.interrupted_by == signal.SIGINT
    assert statuses(result) == {"slow": HookStatus.INTERRUPTED, "later": HookStatus.SKIPPED}
    assert isinstance(events[-1], WorkflowInterrupted)
    assert events[-1].signal == signal.SIGINT
    assert wait_gone([int((tmp_path / "pids").read_text())]) == []


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 20
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_huge_output_keeps_a_bounded_tail_and_a_full_log(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "line = b'x' * 1023 + b'\\n'\n"
        "for _ in range(20 * 1024): sys.stdout.buffer.write(line)\n"
        "print('the end')"
    )
    result, _, _ = run(make_plan(tmp_path, [hook("loud", code)]))
    only = result.hooks[0]
    assert only.status is HookStatus.PASSED
    assert len(only.output) <= 256 * 1024
    assert only.output.endswith("the end\n")
    assert only.log_path is not None
    assert Path(only.log_path).stat().st_size == 20 * 1024 * 1024 + len("the end\n")


def test_non_utf8_output_is_decoded_with_replacement(tmp_path: Path) -> None:
    code = "import sys\nsys.stdout.buffer.write(b'caf\\xe9 \\xff\\xfe ok\\n')\nraise SystemExit(1)"
    result, _, _ = run(make_plan(tmp_path, [hook("latin", code)]))
    assert result.hooks[0].output == "caf\ufffd \ufffd\ufffd ok\n"


def test_a_hook_killed_by_a_signal_names_it(tmp_path: Path) -> None:
    code = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    result, _, _ = run(make_plan(tmp_path, [hook("crash", code)]))
    only = result.hooks[0]
    assert (only.status, only.signal, only.message) == (HookStatus.FAILED, 9, "killed by SIGKILL")


@pytest.mark.parametrize(("missing_fails", "fails_run"), [(True, True), (False, False)])
def test_a_missing_program_is_reported_with_how_to_install_it(
    tmp_path: Path, missing_fails: bool, fails_run: bool
) -> None:
    gone_tool = hook("lint", command=("no-such-linter",), install="pip install no-such-linter")
    result, _, _ = run(make_plan(tmp_path, [gone_tool], missing_fails=missing_fails))
    only = result.hooks[0]
    assert only.status is HookStatus.MISSING
    assert only.fails_run is fails_run
    assert "no-such-linter not found: install it (`pip install no-such-linter`)" in only.message


def test_hooks_do_not_see_repository_local_git_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_INDEX_FILE", "/somewhere/index")
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -v")
    code = (
        "import os\n"
        "leaked = 'GIT_INDEX_FILE' in os.environ\n"
        "lost = 'GIT_SSH_COMMAND' not in os.environ\n"
        "raise SystemExit(leaked * 10 + lost)"
    )
    result, _, _ = run(make_plan(tmp_path, [hook("env", code)]))
    assert result.hooks[0].status is HookStatus.PASSED


def test_an_in_process_check_that_raises_is_an_error(tmp_path: Path) -> None:
    def broken(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
        raise ValueError("bad check")

    runner = InProcess(check=broken)
    broken_hook = Hook(id="broken", phase="fast", types=(), runner=runner)
    result, _, _ = run(make_plan(tmp_path, [broken_hook]))
    only = result.hooks[0]
    assert (only.status, only.message) == (HookStatus.ERROR, "ValueError: bad check")
    assert "Traceback" in only.output
