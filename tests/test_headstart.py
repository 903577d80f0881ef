"""The longest hook's head start (``core/run/headstart.py``): a run recalled from the argv cache
starts the program the last such run started first, before it plans, and adopts it only when
the plan starts it the same way; otherwise, or whatever ends the run first, it is killed.

Real crackjack processes in real git repositories; a hook's program logs its pid when it
starts and what it read when it ends; the result says whether it ``started_ahead``."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from crackjack.cli import argvcache, runoptions
from crackjack.core.process import run as process
from crackjack.core.run.headstart import HeadStart, Launch, read_launch, write_launch
from crackjack.core.valueclass import replace
from tests.gitrepo import make_repo, run_git
from tests.processes import wait_gone
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


def running(program: Path) -> list[int]:
    """The pids of the processes running ``program`` (by their command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(program).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


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
    """The program started ahead with ``one`` is held from everything until it is adopted, so
    it is killed without having started its work; the hook runs once, as planned."""
    root = project(tmp_path)
    run_twice(root, tmp_path)
    settings = root / "pyproject.toml"
    settings.write_text(settings.read_text().replace('"one"', '"two"'))
    done = run_process(RUN, root)
    assert done.returncode == 0, done.stdout + done.stderr
    [(planned, args)] = starts(tmp_path)[2:]
    assert args == "two"
    assert slow_result(root)["started_ahead"] is False
    assert planned in ends(tmp_path)
    assert running(root / ".tools" / "slow") == []


def test_whatever_ends_a_recalled_run_kills_the_program_it_started_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    run_twice(root, tmp_path)
    monkeypatch.chdir(root)
    digest = argvcache.key(RUN)
    assert digest is not None
    options, launches = argvcache.recall(digest), argvcache.launch_file(digest)
    assert options is not None
    assert launches is not None
    pids: list[int] = []

    def fails(*_: object, head_start: HeadStart | None = None, **__: object) -> int:
        assert head_start is not None
        pids.append(head_start.running.proc.pid)
        assert running(root / ".tools" / "slow") == pids
        raise RuntimeError("the run went wrong")

    monkeypatch.setattr(runoptions, "run_workflow", fails)
    with pytest.raises(RuntimeError, match="went wrong"):
        runoptions.run_recalled(options, launches)
    assert wait_gone(pids) == []
    assert len(starts(tmp_path)) == 2  # it never got to write a line


def test_git_hook_mode_never_starts_a_program_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not even with a launch kept for the command line (a run of it never keeps one)."""
    root = project(tmp_path)
    run_git(root, "add", "a.txt")
    run_twice(root, tmp_path)
    monkeypatch.chdir(root)
    digests = [argvcache.key(RUN), argvcache.key([*RUN, "--staged"])]
    kept, staged = (argvcache.launch_file(d) for d in digests if d is not None)
    assert kept is not None
    assert staged is not None
    shutil.copy(kept, staged)
    started: list[Path] = []
    monkeypatch.setattr(HeadStart, "start", lambda path, folder: started.append(path))
    staged_options = argvcache.recall(digests[0] or "")
    assert staged_options is not None
    staged_run = replace(staged_options, staged=True)
    monkeypatch.setattr(runoptions, "run_workflow", lambda *_, **__: 0)
    assert runoptions.run_recalled(staged_run, staged) == 0
    assert started == []
    done = run_process([*RUN, "--staged"], root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert slow_result(root)["started_ahead"] is False


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
    other = json.loads(path.read_text()) | {"version": "0.0.0"}  # another crackjack's
    path.write_text(json.dumps(other))
    assert read_launch(path) is None
    for damaged in ("{", "[]", json.dumps({"format": 1, "hook": "mypy"}), json.dumps({})):
        path.write_text(damaged)
        assert read_launch(path) is None
    write_launch(path, None)
    assert not path.exists()


def test_a_program_started_ahead_touches_nothing_until_it_is_let_go(tmp_path: Path) -> None:
    """Held by the gate's ahead bit: no file outside its interpreter's installation is opened
    (read or written) before ``release``; once released it runs as it would."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.txt").write_text("start\n")
    marker = tmp_path / "wrote"
    program = tmp_path / "tool"
    program.write_text(
        f"#!{sys.executable}\nimport sys\ndata = open('a.txt').read()\n"
        f"open({str(marker)!r}, 'w').write(data)\n"
    )
    program.chmod(0o755)
    launch = Launch(
        hook="tool",
        argv=(str(program),),
        cwd=str(root),
        hook_env=(),
        venv=None,
        executable=str(program),
        files=("a.txt",),
        fixers=(),
    )
    record = tmp_path / "launches" / "tool.json"
    write_launch(record, launch)
    head = HeadStart.start(record, record.parent)
    assert head is not None
    try:
        time.sleep(0.5)  # long enough to start, import and try to read
        assert not marker.exists()
        head.take()
        head.release()
        request = process.ProcessRequest(argv=launch.argv, cwd=root, timeout=30)
        outcome = process.run_process(request, running=head.running)
    finally:
        head.abandon()
        head.gate.close()
    assert outcome.returncode == 0, outcome.text
    assert marker.read_text() == "start\n"


def test_a_killed_program_started_ahead_is_gone(tmp_path: Path) -> None:
    program = tmp_path / "tool"
    program.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    program.chmod(0o755)
    launch = Launch("tool", (str(program),), str(tmp_path), (), None, str(program), (), ())
    record = tmp_path / "launches" / "tool.json"
    write_launch(record, launch)
    head = HeadStart.start(record, record.parent)
    assert head is not None
    pid = head.running.proc.pid
    head.abandon()
    assert wait_gone([pid]) == []
    assert not list(record.parent.glob("gate-*"))  # its gate's map is removed with it
