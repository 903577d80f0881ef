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
fresh copy of the repository, two at a time. The killed runs are children of fork servers
(tests/faults/forkserver.py) that hold imported what the real command line imports: a point
then costs its run without the interpreter's start and imports, which come before every point;
one counting run of a fork server's child first proves it reaches the same points in the same
order as the real command line. ``crackjack recover`` runs as a fresh process.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

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
HOOK = ("git-hook", "pre-commit")
RUN = (PYTHON, "-P", "-m", "crackjack", *HOOK)  # as the git hook runs it
CALL = re.compile(r"^\d+ +(\w+)\(", re.MULTILINE)
IMPORTED = re.compile(r"^import time: +\d+ \| +\d+ \| (\S+)$", re.MULTILINE)
"""A top-level import in ``-X importtime``'s tree (one space before the name)."""
WORKERS = 2

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


def sweep_env(cwd: Path, fault: str | None = None) -> dict[str, str]:
    """The injector on ``PYTHONPATH`` (doing ``fault``, if given) and no bytecode written, so
    no import's rename falls among the points."""
    env = {"TMPDIR": str(cwd.parent), "PYTHONPATH": str(FAULTS), "PYTHONDONTWRITEBYTECODE": "1"}
    if fault is not None:
        env["SWEEP_FAULT"] = fault
    return crackjack_env(env)


def run(
    argv: tuple[str, ...], cwd: Path, fault: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run in the sweep's environment (:func:`sweep_env`)."""
    return subprocess.run(
        argv,
        cwd=cwd,
        env=sweep_env(cwd, fault),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def imported_modules(root: Path) -> list[str]:
    """The modules a run (not killed) imports, in its order: each import made at the top level
    of ``python -X importtime``'s tree (what the start and crackjack's own code import; what
    those import in turn follows)."""
    done = run((PYTHON, "-X", "importtime", *RUN[1:]), root)
    assert done.returncode == 1, done.stderr
    return [
        name
        for name in IMPORTED.findall(done.stderr)
        if name not in ("__main__", "crackjack.__main__")
    ]


class ForkServer:
    """A fork server (tests/faults/forkserver.py) holding ``modules`` imported: each run of
    :data:`RUN`'s command line is a child of it, as that command line is once its imports are
    done, at a fraction of a fresh interpreter's cost."""

    def __init__(self, modules: list[str], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        argv = (PYTHON, "-P", str(FAULTS / "forkserver.py"), *modules)
        self.process = subprocess.Popen(
            argv, cwd=folder, env=sweep_env(folder), stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def run(
        self, args: tuple[str, ...], cwd: Path, fault: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python -P -m crackjack ARGS`` in ``cwd`` as :func:`run` runs it."""
        out, err = cwd.parent / "stdout", cwd.parent / "stderr"
        request = {
            "args": list(args),
            "cwd": str(cwd),
            "env": sweep_env(cwd, fault),
            "out": str(out),
            "err": str(err),
        }
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the fork server ended"
        code = int(answer)
        return subprocess.CompletedProcess(
            args, code, out.read_text(errors="replace"), err.read_text(errors="replace")
        )

    def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def read_counts(counts: Path) -> list[tuple[str, str]]:
    return [(name, within) for name, within in map(str.split, counts.read_text().splitlines())]


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
    calls = read_counts(counts)
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


def copy(original: Path, folder: Path) -> Path:
    """A copy of the repository at ``original`` in ``folder``."""
    root = folder / "repo"
    shutil.copytree(original, root, symlinks=True)
    return root


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
    point: str,
    original: Path,
    work: Path,
    good: Mapping[str, RepoState],
    servers: Queue[ForkServer],
) -> str | None:
    """Kill at ``point`` (``NAME:N:before|after``), recover, compare; a failure, or None."""
    where = f"SIGKILL at {point}"
    root = work / point.replace(":", "-") / "repo"
    shutil.copytree(original, root, symlinks=True)
    server = servers.get()
    try:
        killed = server.run(HOOK, root, point)
    finally:
        servers.put(server)
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

    # The points are reached in children of fork servers: proven to be the same points, in the
    # same order, as the real command line's, counted above.
    modules = imported_modules(copy(original, tmp_path / "modules"))
    servers: Queue[ForkServer] = Queue()
    try:
        for number in range(WORKERS):
            servers.put(ForkServer(modules, tmp_path / f"server-{number}"))
        forked = copy(original, tmp_path / "forked")
        counts = forked.parent / "counts"
        server = servers.get()
        assert server.run(HOOK, forked, f"count:{counts}").returncode == 1
        servers.put(server)
        assert read_counts(counts) == calls
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = [
                pool.submit(check_point, job, original, tmp_path / "points", good, servers)
                for job in jobs
            ]
            failures = [future.result() for future in futures]
    finally:
        while not servers.empty():
            servers.get().close()
    assert [failure for failure in failures if failure] == [], f"{len(jobs)} points"
