"""A hook started early whose program is a Python script is held from the files the fixers of
earlier phases may still change (``core/runners/gate.py``): what it reads is what they left, so
its early result stands."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crackjack.core.process.run import ProcessOutcome, ProcessRequest, run_process
from crackjack.core.run.durations import read_history
from crackjack.core.run.results import HookStatus
from crackjack.core.runners.gate import Gate
from crackjack.core.runners.hook import Hook
from crackjack.core.valueclass import replace
from tests.test_engine import hook, make_plan, run, statuses
from tests.test_scheduling import FIX, MARK, WAIT, lines, say

FIXED = "start\nfixed by the fixer\n"


def script(folder: Path, name: str, code: str) -> Path:
    """A console script as pip writes them: the interpreter's path on its first line."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{code}", encoding="utf-8")
    path.chmod(0o755)
    return path


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def held_run(tmp_path: Path, code: str) -> tuple[Gate, threading.Thread, list[ProcessOutcome]]:
    """``code`` run as a script through a gate holding ``a.txt`` for the fixer ``fix``."""
    (tmp_path / "a.txt").write_text("start\n")
    program = script(tmp_path, "tool", code)
    gate = Gate(tmp_path, [("fix", ("a.txt",))], tmp_path)
    gated = gate.wrap((str(program), "one", "two"), str(program))
    assert gated is not None
    outcomes: list[ProcessOutcome] = []

    def go() -> None:
        request = ProcessRequest(
            argv=gated.argv, cwd=tmp_path, env=gated.env, pass_fds=(gated.fd,), timeout=60
        )
        outcomes.append(run_process(request))

    worker = threading.Thread(target=go)
    worker.start()
    return gate, worker, outcomes


def fixed_then_released(tmp_path: Path, code: str) -> str:
    """The output of ``code``, which marks ``started`` and then looks at ``a.txt``, after
    ``a.txt`` was fixed once it had started."""
    gate, worker, outcomes = held_run(
        tmp_path, MARK.format(marker=str(tmp_path / "started")) + code
    )
    wait_for(tmp_path / "started")
    time.sleep(0.2)  # an ungated program would have read the file by now
    (tmp_path / "a.txt").write_text(FIXED)
    gate.release("fix")
    worker.join(60)
    gate.close()
    assert outcomes
    assert outcomes[0].returncode == 0, outcomes
    return outcomes[0].text


def test_an_open_waits_for_the_fixer(tmp_path: Path) -> None:
    out = fixed_then_released(tmp_path, "print(open('a.txt').read(), end='')\n")
    assert out == FIXED


def test_a_stat_waits_for_the_fixer(tmp_path: Path) -> None:
    out = fixed_then_released(tmp_path, "import os\nprint(os.stat('a.txt').st_size)\n")
    assert out == f"{len(FIXED)}\n"


def test_a_folder_listing_waits_for_the_fixer(tmp_path: Path) -> None:
    code = "import os\nprint([e.stat().st_size for e in os.scandir('.') if e.name == 'a.txt'])\n"
    out = fixed_then_released(tmp_path, code)
    assert out == f"[{len(FIXED)}]\n"


def test_a_program_it_starts_waits_for_every_fixer(tmp_path: Path) -> None:
    code = "import subprocess\nsubprocess.run(['cat', 'a.txt'], check=True)\n"
    assert fixed_then_released(tmp_path, code) == FIXED


def test_other_files_are_read_at_once(tmp_path: Path) -> None:
    """``b.txt`` is no fixer's: read while the fixer still runs (it is never released here)."""
    (tmp_path / "b.txt").write_text("free\n")
    gate, worker, outcomes = held_run(tmp_path, "print(open('b.txt').read(), end='')\n")
    worker.join(60)
    gate.close()
    assert outcomes[0].text == "free\n"


def test_the_script_runs_as_it_would_alone(tmp_path: Path) -> None:
    code = "import sys\nprint(sys.argv, sys.path[0], __name__)\nraise SystemExit(3)\n"
    gate, worker, outcomes = held_run(tmp_path, code)
    worker.join(60)
    gate.close()
    program = tmp_path / "tool"
    alone = subprocess.run(
        [str(program), "one", "two"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (outcomes[0].returncode, outcomes[0].text) == (alone.returncode, alone.stdout)
    assert alone.returncode == 3


def test_the_pipes_end_releases_everything(tmp_path: Path) -> None:
    """Closed before its fixers are done (the hook is stopped, the run ends): nothing hangs."""
    gate, worker, outcomes = held_run(tmp_path, "print(open('a.txt').read(), end='')\n")
    gate.close()
    worker.join(60)
    assert outcomes[0].text == "start\n"


@pytest.mark.parametrize("first_line", ["#!/bin/sh\n", "#!/usr/bin/env python3\n", "binary"])
def test_only_a_python_script_named_by_its_interpreter_is_held(
    tmp_path: Path, first_line: str
) -> None:
    program = tmp_path / "tool"
    program.write_text(first_line + "true\n")
    program.chmod(0o755)
    gate = Gate(tmp_path, [("fix", ("a.txt",))], tmp_path)
    assert gate.wrap((str(program),), str(program)) is None
    assert not gate.armed


def test_a_gate_whose_fixers_are_all_done_holds_nothing(tmp_path: Path) -> None:
    program = script(tmp_path, "tool", "pass\n")
    gate = Gate(tmp_path, [("fix", ("a.txt",))], tmp_path)
    gate.release("fix")
    assert gate.wrap((str(program),), str(program)) is None


def _gated_reader(tmp_path: Path, **fixer: object) -> tuple[Path, list[Hook]]:
    marker, runs = tmp_path / "reader-started", tmp_path / "runs"
    writer = hook("writer", WAIT.format(marker=str(marker)) + FIX, timeout=30, **fixer)
    code = (
        say(runs, "run")
        + MARK.format(marker=str(marker))
        + f"open({str(runs)!r}, 'a').write(open('a.txt').read().replace('\\n', '|') + '\\n')\n"
    )
    reader = script(tmp_path, "reader", code)
    hooks = [
        replace(writer, files=("a.txt",)),
        hook("reader", phase="late", command=(str(reader),)),
    ]
    return runs, hooks


def test_a_script_hook_is_held_from_the_start_for_a_fixer_that_fixed_files_last_time(
    tmp_path: Path,
) -> None:
    """The history says ``writer`` changed files in its last run: the reader, started early, is
    held from a.txt until ``writer`` is done, reads the fix, and runs once."""
    runs, hooks = _gated_reader(tmp_path, fixer=True)
    history = tmp_path / "state" / "durations.json"
    history.parent.mkdir()
    history.write_text(json.dumps({"seconds": {}, "fixed": ["writer"]}))
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2, durations=history))
    assert statuses(result) == {"writer": HookStatus.FIXED, "reader": HookStatus.PASSED}
    assert lines(runs) == ["run", "start|fixed|"]
    reader = result.hooks[1]
    assert reader.started_early
    assert not reader.rerun_reason
    assert read_history(history).fixed == {"writer"}


def test_a_script_hook_stopped_by_a_fix_starts_again_held_for_the_next_fixer(
    tmp_path: Path,
) -> None:
    """Its first early run is stopped by ``fix-1``'s change; it starts again at once, held from
    a.txt until ``fix-2`` (which waits for that second start) is done: it reads both fixes, and
    that result stands."""
    first, again, runs = (tmp_path / name for name in ("first", "again", "runs"))
    fix_1 = hook("fix-1", WAIT.format(marker=str(first)) + FIX, fixer=True, timeout=30)
    fix_2 = hook("fix-2", WAIT.format(marker=str(again)) + FIX, fixer=True, timeout=30)
    code = (
        f"import os, time\nfirst = not os.path.exists({str(runs)!r})\n"
        + say(runs, "run")
        + "if first:\n"
        + f"    open({str(first)!r}, 'w').close()\n    time.sleep(20)\n"
        + MARK.format(marker=str(again))
        + f"open({str(runs)!r}, 'a').write(open('a.txt').read().replace('\\n', '|') + '\\n')\n"
    )
    reader = hook("reader", phase="late", command=(str(script(tmp_path, "reader", code)),))
    hooks = [replace(fix_1, files=("a.txt",)), replace(fix_2, files=("a.txt",)), reader]
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=3))
    assert statuses(result) == {
        "fix-1": HookStatus.FIXED,
        "fix-2": HookStatus.FIXED,
        "reader": HookStatus.PASSED,
    }
    assert lines(runs) == ["run", "run", "start|fixed|fixed|"]
    early = result.hooks[2]
    assert early.started_early
    assert early.rerun_reason == "rerun after fixes: a.txt changed"


def test_a_hook_that_is_no_fixer_is_not_waited_for_and_its_changes_rerun_it(
    tmp_path: Path,
) -> None:
    """Nothing held the reader from a.txt for ``writer``: it read it before the change."""
    runs, hooks = _gated_reader(tmp_path)
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert lines(runs) == ["run", "start|", "run", "start|fixed|"]
    assert result.hooks[1].rerun_reason == "rerun after fixes: a.txt changed"


def test_each_folder_is_held_for_every_fixer_given_a_file_below_it(tmp_path: Path) -> None:
    """Also where a folder already holds some of a file's fixers, but not all of them."""
    fixers = [("one", ("a/x.py",)), ("two", ("a/b/y.py",)), ("three", ("a/x.py", "a/b/y.py"))]
    gate = Gate(tmp_path, fixers, tmp_path)

    shape = json.loads(gate._shape().read_text(encoding="utf-8"))
    gate.close()

    root = str(tmp_path.resolve())
    one, two, three = 1, 2, 4
    assert shape["files"] == {f"{root}/a/x.py": one | three, f"{root}/a/b/y.py": two | three}
    assert shape["folders"] == {
        root: one | two | three,
        f"{root}/a": one | two | three,
        f"{root}/a/b": two | three,
    }
