"""Nothing a killed crackjack started outlives it (issue 12, points 1 and 4): its hooks die with
it (a direct child, on Linux) or are killed by the next run and by ``crackjack recover`` before
anything is restored, and its temporary copies are removed. Real processes and real SIGKILLs;
the process groups are told apart by the mark in their environment, never by a pid alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crackjack.core.files.fsutil import remove_temporaries
from crackjack.core.git.worktree import find_work_tree
from crackjack.core.process import groups
from crackjack.core.process.groups import MARK_ENV
from crackjack.core.process.run import ProcessRequest, run_process
from crackjack.hooks.catalogue import BUILTIN_HOOKS
from tests.gitrepo import commit_all, run_git, write
from tests.processes import is_gone, kill_leftovers, wait_gone
from tests.project import PYTHON, hook_table, make_project, start_process
from tests.project import run_process as run_crackjack
from tests.repostate import RepoState

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")

# The fixer: it reads its files, sleeps, then writes them back in upper case. It says
# (atomically, in $STARTED) that it has read them, with its pid, so the test waits for that.
WRITER = """\
import os, sys, time
d = {f: open(f).read() for f in sys.argv[1:]}
started = os.environ["STARTED"]
with open(started + ".tmp", "w") as out:
    out.write(str(os.getpid()))
os.replace(started + ".tmp", started)
time.sleep(4)
[open(f, "w").write(t.upper()) for f, t in d.items()]
"""
# The same fixer one process down: the hook's direct child waits for it.
LEADER = """\
import subprocess, sys
subprocess.run([sys.executable, sys.argv[1], *sys.argv[2:]])
"""
BUILTINS_OFF = "".join(hook_table(hook.id, enabled=False) for hook in BUILTIN_HOOKS)
USERS = "one\ntwo\nthree\n"


@pytest.fixture
def pids() -> Iterator[list[int]]:
    """Processes a test is about: killed if it leaves them running."""
    found: list[int] = []
    yield found
    kill_leftovers(found)


def fixer_repo(tmp_path: Path, depth: str) -> Path:
    """A repository whose ``a.txt`` is partially staged, with the slow fixer as its hook."""
    tools = tmp_path / "tools"
    writer = write(tools / "writer.py", WRITER)
    command = [PYTHON, str(writer)]
    if depth == "grandchild":
        command = [PYTHON, str(write(tools / "leader.py", LEADER)), str(writer)]
    config = BUILTINS_OFF + hook_table("upper", command=command, phase="fast", fixer=True)
    root = make_project(tmp_path / "repo", {"a.txt": "one\n"}, config=config, git=True)
    commit_all(root)
    write(root / "a.txt", "one\ntwo\n")
    run_git(root, "add", "a.txt")
    write(root / "a.txt", USERS)
    return root


def kill_while_the_hook_runs(root: Path, tmp_path: Path, pids: list[int]) -> None:
    """Start a commit's run, wait until the fixer has read the files, then SIGKILL crackjack."""
    started = tmp_path / "started"
    proc = start_process(["git-hook", "pre-commit"], root, {"STARTED": str(started)})
    deadline = time.monotonic() + 30
    while not started.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the hook never started"
        time.sleep(0.01)
    pids.append(int(started.read_text()))
    proc.kill()
    proc.communicate()


@pytest.mark.slow
@pytest.mark.parametrize("depth", ["child", "grandchild"])
@pytest.mark.parametrize("then", ["recover", "next run"])
def test_a_hook_of_a_killed_run_never_writes_over_what_is_restored(
    depth: str, then: str, tmp_path: Path, pids: list[int]
) -> None:
    root = fixer_repo(tmp_path, depth)
    before = RepoState.take(root)
    kill_while_the_hook_runs(root, tmp_path, pids)
    if then == "next run":
        refused = run_crackjack(["git-hook", "pre-commit"], root)
        assert refused.returncode == 3, refused
        assert "crackjack recover" in refused.stderr
        assert is_gone(pids[0]), "the next run left the killed run's hook running"
    recovered = run_crackjack(["recover"], root)
    assert recovered.returncode == 0, recovered
    assert wait_gone(pids, within=10) == []
    assert (root / "a.txt").read_text() == USERS
    assert RepoState.take(root) == before
    assert os.listdir(find_work_tree(root).crackjack_dir / "running") == []


SLEEPER = "import os, sys, time; print(os.getpid(), flush=True); time.sleep(60)"
IN_A_THREAD = """\
import sys, threading
from pathlib import Path
from crackjack.core.process.groups import MARK_ENV
from crackjack.core.process.run import ProcessRequest, run_process
request = ProcessRequest(argv=(sys.executable, "-c", sys.argv[1]), cwd=Path.cwd(), tail_bytes=0)
threading.Thread(target=run_process, args=(request,)).start()
"""


def test_a_hook_dies_with_crackjack(tmp_path: Path, pids: list[int]) -> None:
    """The child started on a worker thread gets SIGKILL when crackjack is killed."""
    pid_file = tmp_path / "pid"
    code = f"import os, pathlib, time; pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))"
    code += "; time.sleep(60)"
    script = IN_A_THREAD + "import time; time.sleep(60)\n"
    proc = subprocess.Popen([PYTHON, "-c", script, code], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert proc.poll() is None
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.01)
        pids.append(int(pid_file.read_text()))
    finally:
        proc.kill()
        proc.wait()
    assert wait_gone(pids) == []


def test_worker_threads_that_end_never_take_another_threads_hook_with_them() -> None:
    """The parent-death signal follows the thread that started a child; a worker thread that
    ends (the engine's end with their hook) has no child left: the one it started has been
    reaped, and the others' were started, and are waited for, by their own threads."""
    outcomes: list[int | None] = []
    threads: set[int] = set()

    def one(pause: float) -> None:
        threads.add(threading.get_ident())
        code = f"import time; time.sleep({pause})"
        request = ProcessRequest(argv=(PYTHON, "-c", code), cwd=Path.cwd())
        outcomes.append(run_process(request).returncode)

    workers = [threading.Thread(target=one, args=(0.3 * (n % 3),)) for n in range(6)]
    for worker in workers:
        worker.start()
        time.sleep(0.1)
    for worker in workers:
        worker.join()
    assert outcomes == [0] * 6
    assert len(threads) > 1


# --- the records and who counts as ours ------------------------------------------------------


GROUP = """\
import os, signal, subprocess, sys, time
if sys.argv[1] == "ignore":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
env = {key: value for key, value in os.environ.items() if key != sys.argv[2]}
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
print(child.pid, flush=True)
time.sleep(60)
"""


def start_group(
    mark: str | None, pids: list[int], *, ignore_term: bool = False
) -> subprocess.Popen[bytes]:
    """A process in its own group (as ``run_process`` starts them), with ``mark`` (if any) in
    its environment, and its child without it; both pids go to ``pids``."""
    env = {key: value for key, value in os.environ.items() if key != MARK_ENV}
    if mark is not None:
        env[MARK_ENV] = mark
    argv = [PYTHON, "-c", GROUP, "ignore" if ignore_term else "end", MARK_ENV]
    proc = subprocess.Popen(argv, env=env, start_new_session=True, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    pids += [proc.pid, int(proc.stdout.readline())]
    return proc


def write_record(folder: Path, pgid: int, mark: str, owner: int | None = None) -> Path:
    """The record a run (``owner``; None: one that is gone) left of the group ``pgid``."""
    start = "0"
    if owner is None:
        child = subprocess.Popen(["true"])
        child.wait()
        owner = child.pid
    else:
        start = Path(f"/proc/{owner}/stat").read_text().rpartition(")")[2].split()[19]
    folder.mkdir(exist_ok=True)
    return write(folder / str(pgid), f"{owner} {start} {mark}\n")


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.communicate()


def alive(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is None


MARK = "0123456789abcdef"


@pytest.mark.parametrize("ignore_term", [False, True], ids=["ends", "ignores-SIGTERM"])
def test_a_left_over_group_that_carries_the_mark_is_killed_whole(
    ignore_term: bool, tmp_path: Path, spawned: list[subprocess.Popen[bytes]], pids: list[int]
) -> None:
    proc = start_group(MARK, pids, ignore_term=ignore_term)
    spawned.append(proc)
    folder = tmp_path / "running"
    write_record(folder, proc.pid, MARK)
    write_record(folder, 999_999_999, MARK)  # nothing is left of that one
    groups.stop_left_over(folder)
    assert proc.wait(timeout=5) == (-signal.SIGKILL if ignore_term else -signal.SIGTERM)
    assert wait_gone(pids) == []
    assert os.listdir(folder) == []


def test_a_group_without_the_mark_is_a_strangers_and_left_alone(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]], pids: list[int]
) -> None:
    """The pid was reused: a process that is not ours now leads a group of the same id."""
    stranger = start_group(None, pids)
    other_run = start_group("fedcba9876543210", pids)
    spawned += [stranger, other_run]
    write_record(tmp_path / "running", stranger.pid, MARK)
    write_record(tmp_path / "running", other_run.pid, MARK)
    groups.stop_left_over(tmp_path / "running")
    assert alive(stranger)
    assert alive(other_run)
    assert os.listdir(tmp_path / "running") == []


def test_the_groups_of_a_run_still_going_are_left_alone(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]], pids: list[int]
) -> None:
    proc = start_group(MARK, pids)
    spawned.append(proc)
    record = write_record(tmp_path / "running", proc.pid, MARK, os.getpid())
    groups.stop_left_over(tmp_path / "running")
    assert alive(proc)
    assert record.exists()


def test_a_run_records_its_groups_while_they_run_and_forgets_them_after(tmp_path: Path) -> None:
    folder = tmp_path / "running"
    code = f"import os; print(os.listdir({str(folder)!r}), os.getpgid(0), os.environ[{MARK_ENV!r}])"
    with groups.recording(folder):
        outcome = run_process(ProcessRequest(argv=(PYTHON, "-c", code), cwd=tmp_path))
        assert os.listdir(folder) == []
    listed, pgid, mark = outcome.text.rsplit(maxsplit=2)
    assert listed == f"['{pgid}']"
    assert len(mark) == 16
    assert MARK_ENV not in os.environ


# --- temporary copies -------------------------------------------------------------------------

TEMP = ".0123456789abcdef.crackjack-tmp"


def test_only_crackjacks_temporary_files_are_removed(tmp_path: Path) -> None:
    keep = [".0123456789abcdef.crackjack-tmp.txt", ".a.txt.01234567.crackjack-tmp", "x.py"]
    for name in [TEMP, *keep]:
        write(tmp_path / name)
    (tmp_path / ".fedcba9876543210.crackjack-tmp").symlink_to("x.py")
    (tmp_path / ".00000000ffffffff.crackjack-tmp").mkdir()
    remove_temporaries([tmp_path, tmp_path / "missing"])
    assert sorted(os.listdir(tmp_path)) == sorted([*keep, ".00000000ffffffff.crackjack-tmp"])


KILL_WHILE_HIDDEN = textwrap.dedent("""\
    import os, signal, sys
    from pathlib import Path
    from crackjack.core.git.hiding import unstaged_changes_hidden
    from crackjack.core.git.worktree import find_work_tree
    with unstaged_changes_hidden(find_work_tree(Path(sys.argv[1]))):
        os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.parametrize("then", [["recover"], ["--staged"]])
def test_temporary_copies_of_a_killed_restore_are_removed(then: list[str], tmp_path: Path) -> None:
    files = {"a.txt": "a\n", "sub/b.txt": "b\n", "lib/c.txt": "c\n"}
    root = make_project(tmp_path / "repo", files, git=True)
    commit_all(root)
    write(root / "a.txt", USERS)
    write(root / "sub" / "b.txt", USERS)
    write(root / "lib" / "c.txt", "staged\n")  # a fixer may have been writing it
    run_git(root, "add", "lib/c.txt")
    before = RepoState.take(root)
    done = subprocess.run([PYTHON, "-c", KILL_WHILE_HIDDEN, str(root)], check=False)
    assert done.returncode == -signal.SIGKILL
    folders = (root, root / "sub", root / "lib")
    for folder in folders:  # as a kill between the write and the rename leaves
        write(folder / TEMP, USERS)
    assert run_crackjack(then, root).returncode == (0 if then == ["recover"] else 3)
    assert [folder for folder in folders if (folder / TEMP).exists()] == []
    assert run_crackjack(["recover"], root).returncode == 0
    assert RepoState.take(root) == before
