"""A hook started early whose program is a Python script is held from the files the fixers of
earlier phases may still change (``core/runners/gate.py``): what it reads is what they left, so
its early result stands."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crackjack.core.cache.step import open_cache
from crackjack.core.process.run import ProcessOutcome, ProcessRequest, run_process
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


def test_an_early_script_hook_reads_the_fix_and_is_not_run_again(tmp_path: Path) -> None:
    runs, hooks = _gated_reader(tmp_path, fixer=True)
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert statuses(result) == {"writer": HookStatus.FIXED, "reader": HookStatus.PASSED}
    assert lines(runs) == ["run", "start|fixed|"]
    reader = result.hooks[1]
    assert reader.started_early
    assert not reader.rerun_reason


def test_a_hook_that_is_no_fixer_is_not_waited_for_and_its_changes_rerun_it(
    tmp_path: Path,
) -> None:
    """Nothing held the reader from a.txt for ``writer``: it read it before the change."""
    runs, hooks = _gated_reader(tmp_path)
    result, _, _ = run(make_plan(tmp_path, hooks, ("a.txt",), jobs=2))
    assert lines(runs) == ["run", "start|", "run", "start|fixed|"]
    assert result.hooks[1].rerun_reason == "rerun after fixes: a.txt changed"


def test_a_pass_partly_served_from_the_cache_is_run_again_after_the_fix(tmp_path: Path) -> None:
    """b.txt's pass comes from the cache, keyed before the fixer changed b.txt: the gate held
    the program only from the file it checked (c.txt), so the early result cannot stand."""
    root = tmp_path / "root"
    root.mkdir()
    marker, runs = tmp_path / "reader-started", tmp_path / "runs"
    code = say(runs, "run") + MARK.format(marker=str(marker))
    reader = script(tmp_path, "reader", code)
    checker = hook("reader", phase="late", command=(str(reader),), cache="per-file")
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    run(make_plan(root, [checker], ("b.txt",), jobs=2, results=cache))
    assert lines(runs) == ["run"]
    fixer = hook("fixer", WAIT.format(marker=str(marker)) + FIX, fixer=True, timeout=30)
    hooks = [replace(fixer, files=("b.txt",)), checker]
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    result, _, _ = run(make_plan(root, hooks, ("b.txt", "c.txt"), jobs=2, results=cache))
    assert statuses(result) == {"fixer": HookStatus.FIXED, "reader": HookStatus.PASSED}
    early = result.hooks[1]
    assert early.started_early
    assert early.rerun_reason == "rerun after fixes: b.txt changed"
    assert lines(runs) == ["run", "run", "run"]
