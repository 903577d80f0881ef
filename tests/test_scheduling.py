"""The critical path first (DESIGN.md 11): the longest hook starts first, a read-only hook of a
later phase starts beside the earlier one and runs again when a fixer changed what it read.
Real subprocess hooks; the order is observed through the files they write, never by timing."""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from crackjack.core.cache.step import open_cache
from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import EventBus
from crackjack.core.run.durations import (
    DEFAULT_SECONDS,
    IN_PROCESS_SECONDS,
    UNKNOWN_PROGRAM_SECONDS,
    History,
    expected_seconds,
    read_history,
    write_history,
)
from crackjack.core.run.engine import RunControl, Ticker, run_workflow
from crackjack.core.run.events import HookFinished, HookStarted, PhaseFinished, PhaseStarted
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import HookResult, HookStatus
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook, RunContext
from crackjack.core.valueclass import replace
from tests.processes import kill_leftovers, wait_gone
from tests.project import hook_table, make_project, start_process, tool, workflow_table
from tests.test_engine import hook, make_plan, run, statuses
from tests.test_signals import EXCLUDE_TOOLS, HANG, env_for, wait_for_file

WAIT = "import os, time\nwhile not os.path.exists({marker!r}): time.sleep(0.01)\n"
MARK = "open({marker!r}, 'w').close()\n"
FIX = "import sys\nfor n in sys.argv[1:]:\n    open(n, 'a').write('fixed\\n')\n"


def say(log: Path, name: str) -> str:
    return f"open({str(log)!r}, 'a').write({name!r} + '\\n')\n"


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_the_longest_known_hook_starts_first_and_durations_are_kept(tmp_path: Path) -> None:
    order, durations = tmp_path / "order", tmp_path / "state" / "durations.json"
    durations.parent.mkdir()
    durations.write_text(json.dumps({"seconds": {"short": 0.1, "long": 5.0, "middle": 2.0}}))
    hooks = [hook(name, say(order, name)) for name in ("short", "middle", "long", "new")]
    result, _, _ = run(make_plan(tmp_path, hooks, jobs=1, durations=durations))
    assert lines(order) == ["long", "middle", "new", "short"]
    kept = read_history(durations).seconds
    assert set(kept) == {"short", "middle", "long", "new"}
    assert kept["new"] == round(next(h for h in result.hooks if h.hook == "new").duration, 4)


def test_hooks_no_run_timed_start_by_kind_then_in_declaration_order(tmp_path: Path) -> None:
    order = tmp_path / "order"
    names = ("first", "second", "mypy", "pytest", "third")
    hooks = [hook(name, say(order, name)) for name in names]
    run(make_plan(tmp_path, hooks, jobs=1))
    assert lines(order) == ["pytest", "mypy", "first", "second", "third"]


def test_the_default_durations_put_type_checks_before_whitespace() -> None:
    def plan(hook_id: str, program: str | None) -> HookPlan:
        return HookPlan(hook=Hook(id=hook_id, phase="p", runner=Command()), program=program)

    assert expected_seconds(plan("x", "/usr/bin/mypy"), {}) == DEFAULT_SECONDS["mypy"]
    assert expected_seconds(plan("trailing-whitespace", None), {}) == IN_PROCESS_SECONDS
    assert expected_seconds(plan("tool", "/bin/tool"), {}) == UNKNOWN_PROGRAM_SECONDS
    assert expected_seconds(plan("mypy", "/bin/tool"), {"mypy": 0.5}) == 0.5
    ordered = sorted(
        (plan("pytest", None), plan("w", None), plan("r", "ruff"), plan("m", "mypy")),
        key=lambda p: expected_seconds(p, {}),
    )
    assert [p.hook.id for p in ordered] == ["w", "r", "m", "pytest"]


def test_a_corrupted_or_unwritable_durations_file_is_ignored(tmp_path: Path) -> None:
    corrupted = tmp_path / "durations.json"
    damaged = (
        "not json",
        "[1, 2]",
        '{"seconds": {"a": "slow", "b": -1}, "fixed": [1, null]}',
        '{"seconds": {"a": 1' + "0" * 400 + "}}",
        '{"seconds": [1], "fixed": "a"}',
        '{"a": 1.0}',
    )
    for content in (*damaged, "[" * 100_000):
        corrupted.write_text(content)
        damaged_history = read_history(corrupted)
        assert (damaged_history.seconds, damaged_history.fixed) == ({}, frozenset())
        result, _, _ = run(make_plan(tmp_path, [hook("a")], durations=corrupted))
        assert statuses(result) == {"a": HookStatus.PASSED}
        assert set(read_history(corrupted).seconds) == {"a"}
    blocked = tmp_path / "a-file" / "durations.json"
    (tmp_path / "a-file").write_text("")
    result, _, _ = run(make_plan(tmp_path, [hook("a")], durations=blocked))
    assert statuses(result) == {"a": HookStatus.PASSED}


def test_a_read_only_hook_of_a_later_phase_starts_beside_the_earlier_phase(
    tmp_path: Path,
) -> None:
    """``gate`` (fast) ends only once ``reader`` (late) has started: without the early start it
    would wait for its timeout. The events still show the phases one after the other."""
    marker = tmp_path / "reader-started"
    hooks = [
        hook("gate", WAIT.format(marker=str(marker)), timeout=30),
        hook("reader", MARK.format(marker=str(marker)), phase="late"),
    ]
    result, events, _ = run(make_plan(tmp_path, hooks, jobs=2))
    assert statuses(result) == {"gate": HookStatus.PASSED, "reader": HookStatus.PASSED}
    reader = result.hooks[1]
    assert reader.started_early
    assert not reader.rerun_reason
    assert not result.hooks[0].started_early
    shown = [
        (type(e).__name__, getattr(e, "phase", ""), getattr(e, "hook", ""))
        for e in events
        if isinstance(e, PhaseStarted | PhaseFinished | HookStarted | HookFinished)
    ]
    assert shown == [
        ("PhaseStarted", "fast", ""),
        ("HookStarted", "fast", "gate"),
        ("HookCompleted", "fast", "gate"),
        ("PhaseCompleted", "fast", ""),
        ("PhaseStarted", "late", ""),
        ("HookStarted", "late", "reader"),
        ("HookCompleted", "late", "reader"),
        ("PhaseCompleted", "late", ""),
    ]
    started = [e for e in events if isinstance(e, HookStarted)]
    assert [e.started_early for e in started] == [False, True]


def _fixer_and_reader(tmp_path: Path, fixed: str, **reader: object) -> tuple[Path, list[Hook]]:
    """A fast-phase fixer of ``fixed`` that waits for the late ``reader`` to have started, and
    the reader, which logs each of its runs."""
    marker, runs = tmp_path / "reader-started", tmp_path / "runs"
    fixer = hook("fixer", WAIT.format(marker=str(marker)) + FIX, fixer=True, timeout=30)
    fixer = replace(fixer, files=(fixed,))
    code = say(runs, "run") + MARK.format(marker=str(marker))
    return runs, [fixer, hook("reader", code, phase="late", **reader)]


def test_an_early_hook_runs_again_when_a_fixer_changed_its_file(tmp_path: Path) -> None:
    runs, hooks = _fixer_and_reader(tmp_path, "a.txt", files=("a.txt",))
    result, events, _ = run(make_plan(tmp_path, hooks, ("a.txt", "b.txt"), jobs=2))
    assert statuses(result) == {"fixer": HookStatus.FIXED, "reader": HookStatus.PASSED}
    assert lines(runs) == ["run", "run"]
    reader = result.hooks[1]
    assert reader.started_early
    assert reader.rerun_reason == "rerun after fixes: a.txt changed"
    assert sum(1 for e in events if isinstance(e, HookStarted) and e.hook == "reader") == 1


def test_an_early_hook_still_running_when_a_fix_lands_is_stopped_and_run_again(
    tmp_path: Path,
) -> None:
    """Its first run would sleep for 20 s: stopped when the fixer ends, it never says done."""
    marker, runs = tmp_path / "reader-started", tmp_path / "runs"
    fixer = hook("fixer", WAIT.format(marker=str(marker)) + FIX, fixer=True, timeout=30)
    code = (
        f"import os, time\nfirst = not os.path.exists({str(runs)!r})\n"
        + say(runs, "run")
        + MARK.format(marker=str(marker))
        + "if first:\n    time.sleep(20)\n"
        + say(runs, "done")
    )
    hooks = [replace(fixer, files=("a.txt",)), hook("reader", code, phase="late", timeout=60)]
    result, events, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert statuses(result) == {"fixer": HookStatus.FIXED, "reader": HookStatus.PASSED}
    assert lines(runs) == ["run", "run", "done"]
    reader = result.hooks[1]
    assert reader.started_early
    assert reader.rerun_reason == "rerun after fixes: a.txt changed"
    assert sum(1 for e in events if isinstance(e, HookStarted) and e.hook == "reader") == 1


def test_an_early_hook_runs_again_whatever_file_a_fix_changed(tmp_path: Path) -> None:
    """A tool also reads its configuration and what its files import: a fix to a file it was
    not given (b.txt) may change its verdict too."""
    runs, hooks = _fixer_and_reader(tmp_path, "b.txt", files=("a.txt",))
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt", "b.txt"), jobs=2))
    assert statuses(result) == {"fixer": HookStatus.FIXED, "reader": HookStatus.PASSED}
    assert lines(runs) == ["run", "run"]
    assert result.hooks[1].started_early
    assert result.hooks[1].rerun_reason == "rerun after fixes: b.txt changed"


def test_an_early_hook_is_not_rerun_when_nothing_was_changed(tmp_path: Path) -> None:
    marker, runs = tmp_path / "reader-started", tmp_path / "runs"
    hooks = [
        hook("checker", WAIT.format(marker=str(marker)), timeout=30),
        hook("reader", say(runs, "run") + MARK.format(marker=str(marker)), phase="late"),
    ]
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert statuses(result) == {"checker": HookStatus.PASSED, "reader": HookStatus.PASSED}
    assert lines(runs) == ["run"]
    assert result.hooks[1].started_early
    assert not result.hooks[1].rerun_reason


def test_a_hook_that_modified_files_reruns_an_early_hook_even_if_not_a_fixer(
    tmp_path: Path,
) -> None:
    marker, runs = tmp_path / "reader-started", tmp_path / "runs"
    writer = hook("writer", WAIT.format(marker=str(marker)) + FIX, timeout=30)
    hooks = [
        writer,
        hook("reader", say(runs, "run") + MARK.format(marker=str(marker)), phase="late"),
    ]
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert lines(runs) == ["run", "run"]
    assert result.hooks[1].rerun_reason == "rerun after fixes: a.txt changed"


def test_nothing_starts_early_beside_a_writer_given_no_file_names(tmp_path: Path) -> None:
    """What it changes cannot be told from its files (a code generator): the later phase
    waits for it, as without early starts."""
    order = tmp_path / "order"
    code = "import time\ntime.sleep(0.3)\n" + say(order, "generator")
    writer = hook("generator", code, fixer=True, pass_filenames=False)
    hooks = [writer, hook("reader", say(order, "reader"), phase="late")]
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert lines(order) == ["generator", "reader"]
    assert not result.hooks[1].started_early


def test_a_hook_given_no_files_runs_again_after_any_fix(tmp_path: Path) -> None:
    """It may read the whole project (mypy, pytest): any file a fixer changed may matter."""
    runs, hooks = _fixer_and_reader(tmp_path, "b.txt", files=("a.txt",), pass_filenames=False)
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt", "b.txt"), jobs=2))
    assert lines(runs) == ["run", "run"]
    assert result.hooks[1].rerun_reason == "rerun after fixes: b.txt changed"


def test_with_one_job_nothing_starts_early(tmp_path: Path) -> None:
    order = tmp_path / "order"
    hooks = [
        hook("fast-one", say(order, "fast-one")),
        hook("mypy", say(order, "mypy"), phase="late"),
    ]
    result, _, _ = run(make_plan(tmp_path, hooks, jobs=1))
    assert lines(order) == ["fast-one", "mypy"]
    assert not any(h.started_early for h in result.hooks)


def test_fail_fast_before_its_phase_reports_an_early_hook_as_not_run(tmp_path: Path) -> None:
    """``bad`` fails once ``reader`` has started early; the reader (stopped: it would sleep
    past its timeout) is reported as a run without early starts reports it."""
    marker = tmp_path / "reader-started"
    hooks = [
        hook("bad", WAIT.format(marker=str(marker)) + "raise SystemExit(1)\n", timeout=30),
        hook(
            "reader",
            MARK.format(marker=str(marker)) + "import time\ntime.sleep(60)\n",
            phase="late",
            timeout=30,
        ),
    ]
    result, _, _ = run(make_plan(tmp_path, hooks, jobs=2, fail_fast=True))
    assert statuses(result) == {"bad": HookStatus.FAILED, "reader": HookStatus.SKIPPED}
    assert result.hooks[1].message == "not run: bad failed and fail-fast is on"
    assert result.hooks[1].started_early


def test_in_check_only_mode_a_fixer_does_not_hold_back_later_phases(tmp_path: Path) -> None:
    """In CI nothing writes: a fixer runs on a scratch copy, and later hooks start beside it."""
    marker = tmp_path / "reader-started"
    hooks = [
        hook("fixer", WAIT.format(marker=str(marker)), fixer=True, timeout=30),
        hook("reader", MARK.format(marker=str(marker)), phase="late"),
    ]
    result, _, _ = run(make_plan(tmp_path, hooks, jobs=2, check_only=True))
    assert statuses(result) == {"fixer": HookStatus.PASSED, "reader": HookStatus.PASSED}
    assert result.hooks[1].started_early


def test_a_stop_signal_kills_a_hook_started_early_too(tmp_path: Path) -> None:
    """A real crackjack: SIGTERM while ``gate`` (phase first) and ``reader`` (phase second,
    started early) hang; both process trees die, and the reader is reported as not run."""
    gate_pids, reader_pids = tmp_path / "gate.txt", tmp_path / "reader.txt"
    config = EXCLUDE_TOOLS + workflow_table("two", ["first", "second"])
    for name, phase, record in (("gate", "first", gate_pids), ("reader", "second", reader_pids)):
        command = [*tool(tmp_path, name, HANG), str(record)]
        config += hook_table(name, command=command, phase=phase, pass_filenames=False)
    project = make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    proc = start_process(["-w", "two", "-j", "2"], project, env_for(tmp_path))
    pids: list[int] = []
    try:
        for path in (gate_pids, reader_pids):
            pids += [int(pid) for pid in wait_for_file(path, proc).split()]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 143, (out, err)
        assert b"Traceback" not in err
        assert re.search(r"^reader \.+ skipped .*not run: interrupted", out.decode(), re.MULTILINE)
        assert wait_gone(pids) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        kill_leftovers(pids)


def test_the_ticker_is_called_on_the_engines_thread_while_hooks_run(tmp_path: Path) -> None:
    """The hook ends only once the ticker has been called three times (it counts in a file):
    the loop wakes for its ticks on its own, on the thread that runs it, with the hook busy."""
    ticks, threads = tmp_path / "ticks", set()

    def tick() -> None:
        threads.add(threading.get_ident())
        ticks.write_text(str(int(ticks.read_text() or "0") + 1) if ticks.exists() else "1")

    wait = (
        "import os, time\n"
        f"path = {str(ticks)!r}\n"
        "while not os.path.exists(path) or int(open(path).read() or 0) < 3: time.sleep(0.01)\n"
    )
    plan, policy = make_plan(tmp_path, [hook("busy", wait, timeout=30)])
    with Cancellation() as cancellation:
        result = run_workflow(
            plan, policy, EventBus([]), RunControl(cancellation), Ticker(tick, 0.01)
        )
    assert statuses(result) == {"busy": HookStatus.PASSED}
    assert threads == {threading.get_ident()}


def test_a_ticker_that_fails_is_called_no_more_and_the_run_goes_on(tmp_path: Path) -> None:
    calls: list[float] = []

    def tick() -> None:
        calls.append(time.monotonic())
        raise ValueError("a broken live view")

    plan, policy = make_plan(tmp_path, [hook("busy", "import time; time.sleep(0.3)")])
    bus = EventBus([])
    with Cancellation() as cancellation:
        result = run_workflow(plan, policy, bus, RunControl(cancellation), Ticker(tick, 0.01))
    assert statuses(result) == {"busy": HookStatus.PASSED}
    assert len(calls) == 1
    assert len(bus.errors) == 1
    assert "a broken live view" in bus.errors[0]


def test_a_duration_close_to_the_kept_one_leaves_the_file_alone(tmp_path: Path) -> None:
    durations = tmp_path / "durations.json"
    run(make_plan(tmp_path, [hook("a")], durations=durations))
    kept = read_history(durations).seconds
    durations.write_text(json.dumps({"seconds": {"a": kept["a"] * 1000}}))
    run(make_plan(tmp_path, [hook("a")], durations=durations))
    assert read_history(durations).seconds["a"] < kept["a"] * 100
    steady = History(seconds={"a": 1.0, "fix": 1.0}, fixed=frozenset({"fix"}))
    durations.write_text("steady")
    write_history(durations, steady, [_timed("a", 1.05), _timed("fix", 1.0, ("x.py",))])
    assert durations.read_text() == "steady"
    write_history(durations, steady, [_timed("a", 2.0)])
    written = read_history(durations)
    assert (written.seconds, written.fixed) == ({"a": 2.0, "fix": 1.0}, frozenset({"fix"}))


def test_the_fixers_that_changed_files_are_kept_until_a_run_of_theirs_changes_none(
    tmp_path: Path,
) -> None:
    durations = tmp_path / "durations.json"
    empty = History(seconds={})
    write_history(durations, empty, [_timed("fix", 0.1, ("x.py",)), _timed("check", 0.1)])
    kept = read_history(durations)
    assert kept.fixed == {"fix"}
    write_history(durations, kept, [_timed("check", 5.0)])
    assert read_history(durations).fixed == {"fix"}
    write_history(durations, read_history(durations), [_timed("fix", 0.1)])
    assert read_history(durations).fixed == frozenset()


def _timed(hook_id: str, seconds: float, modified: tuple[str, ...] = ()) -> HookResult:
    return HookResult(
        hook=hook_id,
        name=hook_id,
        phase="p",
        status=HookStatus.FIXED if modified else HookStatus.PASSED,
        fails_run=False,
        duration=seconds,
        modified=modified,
    )


class _Broken(Command):
    """A runner with a bug."""

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        raise ValueError("a bug in a runner")


def test_a_runner_that_raises_stops_the_run_with_its_error(tmp_path: Path) -> None:
    broken = replace(hook("broken"), runner=_Broken(command=("true",)))
    planned = make_plan(tmp_path, [broken, hook("other", phase="late")])
    with pytest.raises(ValueError, match="a bug in a runner"):
        run(planned)


def test_an_early_hooks_thrown_away_pass_never_serves_its_rerun(tmp_path: Path) -> None:
    """The reader passes early beside a fixer of a.txt (a file it may import); another hook's
    program starts meanwhile, so the recorder records that pass at once. The engine throws the
    early result away, and the rerun must run: a run serves its hooks none of its own passes."""
    root = tmp_path / "root"
    root.mkdir()
    reader_started, other_started = tmp_path / "reader-started", tmp_path / "other-started"
    runs = tmp_path / "runs"
    waits = WAIT.format(marker=str(other_started)) + "time.sleep(0.5)\n"
    fixer = replace(hook("fixer", waits + FIX, fixer=True, timeout=30), files=("a.txt",))
    reader = hook(
        "reader",
        say(runs, "run") + MARK.format(marker=str(reader_started)),
        phase="late",
        files=("b.txt",),
        cache="per-file",
    )
    starts_a_program = WAIT.format(marker=str(reader_started)) + MARK.format(
        marker=str(other_started)
    )
    other = hook("other", starts_a_program, phase="late", files=("b.txt",))
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    hooks = [fixer, reader, other]
    result, _, _ = run(make_plan(root, hooks, ("a.txt", "b.txt"), jobs=2, results=cache))
    assert statuses(result)["fixer"] is HookStatus.FIXED
    assert next(h for h in result.hooks if h.hook == "reader").rerun_reason
    assert lines(runs) == ["run", "run"]


class _SlowToStart(Command):
    """A program hook whose work before its program starts takes a while; it notes when the
    program has started."""

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        time.sleep(0.3)
        tell = context.started

        def started() -> None:
            _MOMENTS.setdefault("started", time.monotonic())
            tell()

        return super().run(plan, replace(context, started=started))


class _NotesItsStart(Command):
    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        _MOMENTS.setdefault("other", time.monotonic())
        return super().run(plan, context)


_MOMENTS: dict[str, float] = {}


def test_no_hook_starts_while_the_program_of_the_one_before_is_on_its_way(
    tmp_path: Path,
) -> None:
    """The longest hook starts first; the next one (on another worker) waits until its program
    has started, so their threads do not share the interpreter meanwhile."""
    _MOMENTS.clear()
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({"seconds": {"long": 5.0, "short": 0.1}}))
    command = (sys.executable, "-c", "pass")
    long = replace(hook("long"), runner=_SlowToStart(command=command))
    short = replace(hook("short"), runner=_NotesItsStart(command=command))
    result, _, _ = run(make_plan(tmp_path, [long, short], jobs=2, durations=durations))
    assert set(statuses(result).values()) == {HookStatus.PASSED}
    assert _MOMENTS["other"] >= _MOMENTS["started"]
