"""The crash-point sweep (issue 12): a commit's run (``crackjack git-hook pre-commit``) with
unstaged changes is SIGKILLed at each of its process and thread starts, fsyncs, renames and
unlinks in turn, once just before the call and once just after it, then ``crackjack recover``
runs. Three files are partially staged: one the fixers leave alone and two they fix. At every
point the index, HEAD and the refs must be byte-identical to before the run (a fix is never
staged), and each work tree file as before or as a run that was not killed left it: for the
file no fixer touches, that is byte-identical to before; for the fixed ones, a fixer's fix is a
legitimate result, and a kill between two fixers leaves one of them done. No temporary file
and no record of a running process may be left.

The kills come from the test's fault injector (tests/faults/sitecustomize.py, put on
``PYTHONPATH`` here only), which counts the calls over all of crackjack's threads: the
in-process fixers write their files on worker threads through the same atomic writer as the
restore, and those calls are points like any other. The points are counted with one run first;
where strace is installed, that run is also traced (``-f``, letting go of each program at its
``exec``), and every such system call crackjack's threads made must have been one the injector
counted, so the sweep reaches every point a system call trace sees. Then each point runs in a
fresh copy of the repository, two at a time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crackjack.core.files.fsutil import TEMP_SUFFIX
from crackjack.hooks.catalogue import BUILTIN_HOOKS
from tests.gitrepo import commit_all, run_git, write
from tests.project import PYTHON, crackjack_env, hook_table, make_project
from tests.repostate import RepoState

pytestmark = pytest.mark.slow

FAULTS = Path(__file__).parent / "faults"
KINDS = {
    "start": (("vfork", "fork", "clone", "clone3"), ("spawn", "thread")),
    "fsync": (("fsync", "fdatasync"), ("os.fsync", "os.fdatasync")),
    "rename": (("rename", "renameat", "renameat2"), ("os.replace", "os.rename")),
    "unlink": (("unlink", "unlinkat", "rmdir"), ("os.unlink", "os.remove", "os.rmdir")),
}
"""Each kind of point: the system calls strace sees for it, the injector's names for it."""
SYNCS = KINDS["fsync"][1]
TRACE = ",".join(f"?{call}" for calls, _ in KINDS.values() for call in calls)  # `?`: may lack
STRACE = ("strace", "-f", "-b", "execve", "-qq")
RUN = (PYTHON, "-P", "-m", "crackjack", "git-hook", "pre-commit")  # as the git hook runs it
CALL = re.compile(r"^\d+ +(\w+)\(", re.MULTILINE)

FIXERS = ("trailing-whitespace", "end-of-file")
CONFIG = "".join(
    hook_table(hook.id, enabled=False) for hook in BUILTIN_HOOKS if hook.id not in FIXERS
) + hook_table("probe", command=["true"], phase="fast", pass_filenames=False)
"""The two in-process fixers and one program, each on a worker thread."""


def template(folder: Path) -> Path:
    """Three files partially staged (so hidden, checked, then given back with the unstaged
    edit): ``c.txt``, which no fixer changes, and two each fixed by one fixer: ``a.txt`` has
    trailing whitespace, ``sub/b.txt`` no final newline."""
    files = {"a.txt": "a1\na2\na3\na4\n", "sub/b.txt": "b1\nb2\nb3\n", "c.txt": "c1\nc2\n"}
    root = make_project(folder, files, config=CONFIG, git=True)
    commit_all(root)
    write(root / "a.txt", "a1  \na2\na3\na4\n")
    write(root / "sub" / "b.txt", "b1\nb2\nb3\nb4")
    write(root / "c.txt", "c1\nc2\nc3\n")
    run_git(root, "add", "a.txt", "sub/b.txt", "c.txt")
    write(root / "a.txt", "a1  \na2\na3\na4\na5\n")
    write(root / "sub" / "b.txt", "b0\nb1\nb2\nb3\nb4")
    write(root / "c.txt", "c0\nc1\nc2\nc3\n")
    return root


def run(
    argv: tuple[str, ...], cwd: Path, fault: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run with the injector on ``PYTHONPATH`` (doing ``fault``, if given) and no bytecode
    written, so no import's rename falls among the points."""
    env = {"TMPDIR": str(cwd.parent), "PYTHONPATH": str(FAULTS), "PYTHONDONTWRITEBYTECODE": "1"}
    if fault is not None:
        env["SWEEP_FAULT"] = fault
    return subprocess.run(
        argv,
        cwd=cwd,
        env=crackjack_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count_points(root: Path, code: int) -> list[tuple[str, str]]:
    """Each call of a point function crackjack makes in one run, over all its threads, in order:
    its name and the ``shutil.rmtree`` call it was made in (or ``-``). Traced with strace where
    it is installed, to prove no system call of a kind was missed."""
    counts = root.parent / "counts"
    log = root.parent / "strace.log"
    traced = shutil.which("strace") is not None
    argv = (*STRACE, "-o", str(log), "-e", f"trace={TRACE}", *RUN) if traced else RUN
    done = run(argv, root, f"count:{counts}")
    assert done.returncode == code, done.stderr
    calls = [(name, within) for name, within in map(str.split, counts.read_text().splitlines())]
    if traced and log.exists():
        seen = Counter(CALL.findall(log.read_text()))
        made = Counter(name for name, _ in calls)
        for kind, (syscalls, names) in KINDS.items():
            traced_calls = sum(seen[call] for call in syscalls)
            counted = sum(made[name] for name in names)
            assert traced_calls == counted, (
                f"{kind}: strace saw {traced_calls}, the injector {counted}"
            )
    return calls


def kill_points(calls: list[tuple[str, str]]) -> list[str]:
    """``NAME:N:before`` and ``NAME:N:after`` for the Nth call of each name, but two kinds of
    "after" that leave exactly what another point leaves: after an fsync (what a SIGKILL
    leaves in the page cache is there either way: only a power loss tells them apart), and
    after a removal of one ``shutil.rmtree`` followed by another (it changes nothing else in
    between, so it is the next one's "before")."""
    points: list[str] = []
    numbers: Counter[str] = Counter()
    for index, (name, within) in enumerate(calls):
        numbers[name] += 1
        points.append(f"{name}:{numbers[name]}:before")
        following = calls[index + 1][1] if index + 1 < len(calls) else None
        if name not in SYNCS and not (within != "-" and following == within):
            points.append(f"{name}:{numbers[name]}:after")
    return points


def temporaries(root: Path) -> list[Path]:
    """Every temporary file crackjack names, in the work tree and in the git folder."""
    return list(root.rglob(f"*{TEMP_SUFFIX}"))


def unexplained(state: RepoState, good: Mapping[str, RepoState]) -> str | None:
    """What in ``state`` is neither as before the run nor as after one not killed, or None."""
    before, after = good["before"], good["after"]
    if (state.index, state.refs) not in ((before.index, before.refs), (after.index, after.refs)):
        return "the index or the refs differ"
    names = set(state.worktree) | set(before.worktree) | set(after.worktree)
    differ = sorted(
        name
        for name in names
        if state.worktree.get(name) not in (before.worktree.get(name), after.worktree.get(name))
    )
    return f"files {differ}" if differ else None


def check_point(
    point: str, original: Path, work: Path, good: Mapping[str, RepoState]
) -> str | None:
    """Kill at ``point`` (``NAME:N:before|after``), recover, compare; a failure, or None."""
    where = f"SIGKILL at {point}"
    root = work / point.replace(":", "-") / "repo"
    shutil.copytree(original, root, symlinks=True)
    killed = run(RUN, root, point)
    if killed.returncode != -9:
        return f"{where}: the run exited {killed.returncode}: {killed.stderr.strip()[-300:]}"
    recovered = run((PYTHON, "-m", "crackjack", "recover"), root)
    if recovered.returncode != 0:
        return f"{where}: recover exited {recovered.returncode}: {recovered.stderr.strip()}"
    problem = unexplained(RepoState.take(root), good)
    if problem is not None:
        return f"{where}: neither as before nor as after the run: {problem}"
    if left := temporaries(root):
        return f"{where}: temporary files are left: {left}"
    running = root / ".git" / "crackjack" / "running"
    if running.exists() and list(running.iterdir()):
        return f"{where}: records of running processes are left: {list(running.iterdir())}"
    return None


def test_a_kill_at_any_point_then_recover_gives_everything_back(tmp_path: Path) -> None:
    original = template(tmp_path / "original")
    good = {"before": RepoState.take(original)}
    reference = tmp_path / "reference" / "repo"
    shutil.copytree(original, reference, symlinks=True)
    assert run(RUN, reference).returncode == 1  # the fixers fixed the files
    good["after"] = RepoState.take(reference)
    before, after = good["before"], good["after"]
    assert (after.index, after.refs) == (before.index, before.refs)
    assert after.worktree[b"c.txt"] == before.worktree[b"c.txt"]
    assert after.worktree[b"a.txt"] != before.worktree[b"a.txt"]

    counted = tmp_path / "counted" / "repo"
    shutil.copytree(original, counted, symlinks=True)
    calls = count_points(counted, 1)
    assert {"spawn", "thread", "os.replace", "os.fsync", "os.unlink"} <= {n for n, _ in calls}
    jobs = kill_points(calls)
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(check_point, job, original, tmp_path / "points", good) for job in jobs
        ]
        failures = [future.result() for future in futures]
    assert [failure for failure in failures if failure] == [], f"{len(jobs)} points"
