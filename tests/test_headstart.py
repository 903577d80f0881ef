"""The longest hook's head start (``core/run/headstart.py``): a run recalled from the argv cache
starts the program the last such run started first, before it plans, and adopts it only when
the plan starts it the same way; otherwise, or whatever ends the run first, it is killed.

Real crackjack processes in real git repositories; a hook's program logs its pid when it
starts and what it read when it ends; the result says whether it ``started_ahead``."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from crackjack.core.run.headstart import Launch, read_launch, write_launch
from tests.gitrepo import make_repo, run_git
from tests.processes import kill_leftovers, wait_gone
from tests.project import hook_table, make_project, run_process, workflow_table

SLOW = """\
#!{python}
import os, sys, time
log = {log!r}
open(log, "a").write(f"start {{os.getpid()}} {{' '.join(sys.argv[1:])}}\\n")
time.sleep(0.4)
with open("a.txt") as stream:
    content = stream.read()
open(log, "a").write(f"end {{os.getpid()}} {{content!r}}\\n")
"""
FIXER = "import sys\nfor name in sys.argv[1:]:\n    open(name, 'a').write('fixed\\n')\n"
RUN = ["-w", "w", "-j", "2", "--events", "events.jsonl"]


def project(tmp_path: Path, *, fixer: bool = False) -> Path:
    """A repository whose workflow ``w`` runs a hook of a.txt (a ``fixer``, or a check that
    does nothing), then ``slow``, a console script (the interpreter's path on its first line)
    that logs to ``log``: it starts early, beside the first phase."""
    root = make_repo(tmp_path / "repo")
    tools = root / ".tools"
    tools.mkdir(exist_ok=True)
    slow = tools / "slow"
    slow.write_text(SLOW.format(python=sys.executable, log=str(tmp_path / "log")))
    slow.chmod(0o755)
    config = 'exclude = [".tools/"]\n' + workflow_table("w", ["fix", "check"])
    config += hook_table("slow", command=[str(slow), "one"], phase="check", pass_filenames=False)
    (tools / "fixer.py").write_text(FIXER if fixer else "")
    command = [sys.executable, str(tools / "fixer.py")]
    config += hook_table("fixer", command=command, phase="fix", fixer=fixer, files=["a.txt"])
    make_project(root, {"a.txt": "start\n"}, config=config)
    return root


def starts(tmp_path: Path) -> list[tuple[int, str]]:
    """Each start of the slow hook's program: pid, arguments."""
    found = []
    for line in (tmp_path / "log").read_text().splitlines():
        if line.startswith("start "):
            _, pid, *args = line.split()
            found.append((int(pid), " ".join(args)))
    return found


def ends(tmp_path: Path) -> dict[int, str]:
    """What each program that ran to its end read in a.txt, by pid."""
    lines = (tmp_path / "log").read_text().splitlines()
    return {
        int(line.split()[1]): line.split(" ", 2)[2] for line in lines if line.startswith("end ")
    }


def slow_result(root: Path) -> dict[str, object]:
    for line in (root / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["event"] in {"HookCompleted", "HookFailed"} and event["hook"] == "slow":
            result: dict[str, object] = event["result"]
            return result
    raise AssertionError("no result for slow")


def run_twice(root: Path, tmp_path: Path, *args: str) -> list[tuple[int, str]]:
    """The run Typer parses (it keeps the launch), then the one the argv cache recalls; the
    starts of the second."""
    before = 0
    for _ in range(2):
        before = len(starts(tmp_path)) if (tmp_path / "log").exists() else 0
        (root / "a.txt").write_text("start\n")
        done = run_process([*RUN, *args], root)
        assert done.returncode in {0, 1}, done.stdout + done.stderr
    return starts(tmp_path)[before:]


def test_a_recalled_run_adopts_the_program_it_started_before_planning(tmp_path: Path) -> None:
    root = project(tmp_path)
    [(second, args)] = run_twice(root, tmp_path)
    first = starts(tmp_path)[0][0]
    assert args == "one"
    assert set(ends(tmp_path)) == {first, second}
    result = slow_result(root)
    assert (result["status"], result["started_ahead"], result["rerun_reason"]) == (
        "passed",
        True,
        "",
    )


def test_a_launch_the_plan_no_longer_makes_is_killed_and_the_hook_runs_as_planned(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    run_twice(root, tmp_path)
    settings = root / "pyproject.toml"
    settings.write_text(settings.read_text().replace('"one"', '"two"'))
    done = run_process(RUN, root)
    assert done.returncode == 0, done.stdout + done.stderr
    ahead, planned = starts(tmp_path)[2:]
    assert (ahead[1], planned[1]) == ("one", "two")
    assert slow_result(root)["started_ahead"] is False
    assert wait_gone([ahead[0]]) == []
    assert ahead[0] not in ends(tmp_path)
    assert planned[0] in ends(tmp_path)


def test_a_run_that_refuses_to_start_kills_the_program_started_ahead(tmp_path: Path) -> None:
    root = project(tmp_path)
    run_twice(root, tmp_path)
    (root / "pyproject.toml").write_text("[tool.crackjack\n")
    done = run_process(RUN, root)
    assert done.returncode == 2, done.stdout + done.stderr
    ahead = starts(tmp_path)[2]
    try:
        assert wait_gone([ahead[0]]) == []
    finally:
        kill_leftovers([ahead[0]])
    time.sleep(0.6)  # it would have ended by now
    assert ahead[0] not in ends(tmp_path)


def test_git_hook_mode_never_starts_a_program_ahead(tmp_path: Path) -> None:
    root = project(tmp_path)
    run_git(root, "add", "a.txt")
    run_twice(root, tmp_path, "--staged")
    assert slow_result(root)["started_ahead"] is False
    assert not any((Path(os.environ["HOME"]) / ".cache" / "crackjack" / "launches").glob("*"))


def test_a_program_started_ahead_is_held_for_the_fixer_that_fixed_files_last_time(
    tmp_path: Path,
) -> None:
    """The fixer changed a.txt in the last run, so the launch is kept held for it: the program
    starts ahead, and reads a.txt only once the fixer has fixed it; its result stands."""
    root = project(tmp_path, fixer=True)
    [(second, _)] = run_twice(root, tmp_path)
    assert ends(tmp_path)[second] == repr("start\nfixed\n")
    assert slow_result(root)["started_ahead"] is True
    assert not slow_result(root)["rerun_reason"]


def test_a_launch_reads_back_as_written_and_a_damaged_one_as_none(tmp_path: Path) -> None:
    path = tmp_path / "launch.json"
    launch = Launch(
        hook="mypy",
        argv=("/bin/mypy", "--strict"),
        cwd=str(tmp_path),
        hook_env=(("A", "1"),),
        venv=None,
        executable="/bin/mypy",
        files=("a.py", "b.py"),
        fixers=(("ruff-format", ("a.py",)),),
    )
    write_launch(path, launch)
    assert read_launch(path) == launch
    for damaged in ("{", "[]", json.dumps({"format": 1, "hook": "mypy"}), json.dumps({})):
        path.write_text(damaged)
        assert read_launch(path) is None
    write_launch(path, None)
    assert not path.exists()
