"""The crash-point sweep (issue 12): a commit's run (``crackjack git-hook pre-commit``) with
unstaged changes is SIGKILLed at each of its spawns, fsyncs, renames and unlinks in turn, with
strace's fault injection, then ``crackjack recover`` runs. At every point the repository (every
work tree file, the index, HEAD and the refs) must be byte-identical to before the run, or to
after a run that was not killed (the fixer's fix is a legitimate result), and no temporary file
and no record of a running process may be left.

strace counts each system call per thread (``when=N`` kills the first thread that makes its
Nth), follows crackjack's threads (``-f``) and lets go of every program crackjack starts at its
``exec`` (``-b execve``), so only crackjack itself is ever killed. The points are counted with
one traced run first, then each is run in a fresh copy of the repository, two at a time. A
worker thread's Nth call is reached only when no other thread makes its own Nth first (the
fixer's rename comes after the main thread's first): tests/test_orphans.py covers the
temporary file such a kill leaves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crackjack.hooks.catalogue import BUILTIN_HOOKS
from tests.gitrepo import commit_all, run_git, write
from tests.project import PYTHON, crackjack_env, hook_table, make_project
from tests.repostate import RepoState

pytestmark = pytest.mark.slow

SYSCALLS = (
    *("vfork", "fork", "clone", "clone3"),
    *("fsync", "fdatasync"),
    *("rename", "renameat", "renameat2"),
    *("unlink", "unlinkat"),
)
"""Where a point is: starting a process or a thread, making data durable, renaming, removing."""
TRACE = ",".join(f"?{name}" for name in SYSCALLS)  # `?`: a call this machine lacks is no error
STRACE = ("strace", "-f", "-b", "execve", "-qq")
RUN = (PYTHON, "-m", "crackjack", "git-hook", "pre-commit")
CALL = re.compile(r"^(\d+) +(\w+)\(", re.MULTILINE)

CONFIG = "".join(
    hook_table(hook.id, enabled=False) for hook in BUILTIN_HOOKS if hook.id != "trailing-whitespace"
) + hook_table("probe", command=["true"], phase="fast", pass_filenames=False)
"""One in-process fixer (it fixes ``sub/b.txt``) and one program, each on a worker thread."""


def template(folder: Path) -> Path:
    """``a.txt`` partially staged (hidden while the hooks run), ``sub/b.txt`` staged with
    trailing whitespace (fixed in the work tree)."""
    files = {"a.txt": "one\n", "sub/b.txt": "b\n"}
    root = make_project(folder, files, config=CONFIG, git=True)
    commit_all(root)
    write(root / "a.txt", "one\ntwo\n")
    write(root / "sub" / "b.txt", "b  \n")
    run_git(root, "add", "a.txt", "sub/b.txt")
    write(root / "a.txt", "one\ntwo\nthree\n")
    return root


def run(argv: tuple[str, ...], cwd: Path, temp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        env=crackjack_env({"TMPDIR": str(temp)}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count_points(root: Path, temp: Path) -> dict[str, int]:
    """How many times the busiest thread of crackjack makes each call, in one traced run."""
    log = temp / "strace.log"
    done = run((*STRACE, "-o", str(log), "-e", f"trace={TRACE}", *RUN), root, temp)
    if not log.exists() or "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()[:200]}")
    per_thread = Counter(CALL.findall(log.read_text()))
    points: dict[str, int] = {}
    for (_, name), count in per_thread.items():
        points[name] = max(points.get(name, 0), count)
    return points


def check_point(
    name: str,
    number: int,
    original: Path,
    work: Path,
    good: dict[str, RepoState],
) -> str | None:
    """Kill at the ``number``th ``name``, recover, compare; a readable failure, or None."""
    where = f"SIGKILL at {name} #{number}"
    root = work / f"{name}-{number}" / "repo"
    temp = root.parent / "tmp"
    shutil.copytree(original, root, symlinks=True)
    temp.mkdir()
    inject = f"inject={name}:signal=SIGKILL:when={number}"
    trace = ("-o", "/dev/null", "-e", f"trace={name}", "-e", inject)
    killed = run((*STRACE, *trace, *RUN), root, temp)
    if killed.returncode not in (-9, 1):
        return f"{where}: the run exited {killed.returncode}: {killed.stderr.strip()[-300:]}"
    recovered = run((PYTHON, "-m", "crackjack", "recover"), root, temp)
    if recovered.returncode != 0:
        return f"{where}: recover exited {recovered.returncode}: {recovered.stderr.strip()}"
    state = RepoState.take(root)
    if state not in good.values():
        before = good["before"]
        names = set(state.worktree) | set(before.worktree)
        differ = sorted(n for n in names if state.worktree.get(n) != before.worktree.get(n))
        index = "the index differs; " if state.index != before.index else ""
        return f"{where}: neither as before nor as after the run: {index}files {differ}"
    running = root / ".git" / "crackjack" / "running"
    if running.exists() and list(running.iterdir()):
        return f"{where}: records of running processes are left: {list(running.iterdir())}"
    return None


def test_a_kill_at_any_point_then_recover_gives_everything_back(tmp_path: Path) -> None:
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (.ci/run installs it where apt-get can)")
    original = template(tmp_path / "original")
    good = {"before": RepoState.take(original)}
    reference = tmp_path / "reference"
    shutil.copytree(original, reference, symlinks=True)
    (tmp_path / "tmp").mkdir()
    assert run(RUN, reference, tmp_path / "tmp").returncode == 1  # the fixer fixed sub/b.txt
    good["after"] = RepoState.take(reference)
    assert good["after"] != good["before"]

    counted = tmp_path / "counted"
    shutil.copytree(original, counted, symlinks=True)
    points = count_points(counted, tmp_path / "tmp")
    assert {"clone", "clone3", "vfork"} & set(points), points  # threads and processes started
    assert {"rename", "renameat", "renameat2"} & set(points), points
    jobs = [(name, number) for name, count in points.items() for number in range(1, count + 1)]
    work = tmp_path / "points"
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(check_point, *job, original, work, good) for job in jobs]
        failures = [future.result() for future in futures]
    assert [failure for failure in failures if failure] == [], f"{len(jobs)} points: {points}"
