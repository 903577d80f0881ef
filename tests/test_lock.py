from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crackjack.core.errors import ConfigError, CrackjackError, RepositoryStateError
from crackjack.core.files.fsutil import flock_polled
from crackjack.core.git.lock import LOCK_FILE, LockedError, lock_dir_for, run_lock
from crackjack.core.git.worktree import work_tree_or_none
from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.processes import kill_leftovers

RUNNER = """
import sys, time
from pathlib import Path
from crackjack.core.git.lock import LockedError, run_lock

started = time.monotonic()
try:
    with run_lock(Path(sys.argv[1]), wait=float(sys.argv[2])):
        print(f"locked {time.monotonic() - started:.3f}", flush=True)
        sys.stdin.readline()
except LockedError as exc:
    print(f"{time.monotonic() - started:.3f} {exc}", file=sys.stderr, flush=True)
    sys.exit(2)
"""
"""Takes the lock, says so, holds it until stdin has a line or ends; exit 2 when locked out."""


@pytest.fixture
def lock_dir(tmp_path: Path) -> Path:
    return tmp_path / "locks"


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    kill_leftovers(p.pid for p in processes if p.poll() is None)
    for process in processes:
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _holder(lock_dir: Path, started: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    """A crackjack process that holds the lock (it has said so) until its stdin is closed."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(lock_dir), "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    assert process.stdout is not None
    assert process.stdout.readline().startswith("locked ")
    return process


def _contend(lock_dir: Path, wait: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(lock_dir), str(wait)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_run_waits_then_fails_naming_the_first(
    lock_dir: Path, started: list[subprocess.Popen[str]]
) -> None:
    holder = _holder(lock_dir, started)
    second = _contend(lock_dir, wait=0.5)
    assert second.returncode == 2, second.stderr
    waited, _, message = second.stderr.strip().partition(" ")
    assert float(waited) >= 0.5
    assert message == (
        f"another crackjack run (pid {holder.pid}) is working in this worktree (waited 0.5s "
        f"for it); run again once it has finished. Lock file: {lock_dir / LOCK_FILE}"
    )
    assert holder.poll() is None
    assert (lock_dir / LOCK_FILE).read_text() == f"{holder.pid}\n"


def test_the_lock_is_free_once_the_first_run_is_killed(
    lock_dir: Path, started: list[subprocess.Popen[str]]
) -> None:
    holder = _holder(lock_dir, started)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    second = _contend(lock_dir, wait=0)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("locked ")


def test_a_waiting_run_gets_the_lock_when_the_first_finishes(
    lock_dir: Path, started: list[subprocess.Popen[str]]
) -> None:
    holder = _holder(lock_dir, started)
    second = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(lock_dir), "30"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(second)
    time.sleep(0.3)
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=10) == 0
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert out.startswith("locked ")
    assert (lock_dir / LOCK_FILE).read_text() == ""


def test_children_do_not_inherit_the_lock(
    lock_dir: Path, started: list[subprocess.Popen[str]]
) -> None:
    """A hook left running after its run ended must not keep the next run out."""
    with run_lock(lock_dir, wait=0):
        child = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"],
            close_fds=False,
            text=True,
        )
        started.append(child)
    second = _contend(lock_dir, wait=0)
    assert second.returncode == 0, second.stderr
    assert child.poll() is None


def test_run_lock_records_the_pid_and_clears_it(lock_dir: Path) -> None:
    with run_lock(lock_dir / "deep" / "er", wait=0) as path:
        assert path == lock_dir / "deep" / "er" / LOCK_FILE
        assert path.read_text() == f"{os.getpid()}\n"
    assert path.read_text() == ""


def test_the_lock_is_per_open_file_even_in_one_process(lock_dir: Path) -> None:
    with run_lock(lock_dir, wait=0):
        started = time.monotonic()
        mine = rf"another crackjack run \(pid {os.getpid()}\)"
        with pytest.raises(LockedError, match=mine), run_lock(lock_dir, wait=0.2):
            pass  # pragma: no cover
        assert time.monotonic() - started >= 0.2
    with run_lock(lock_dir, wait=0):
        pass


def test_the_lock_is_released_when_the_block_raises(lock_dir: Path) -> None:
    with pytest.raises(KeyError), run_lock(lock_dir, wait=0):
        raise KeyError("boom")
    with run_lock(lock_dir, wait=0):
        pass


@pytest.mark.parametrize("content", ["", "garbage\n", "-5\n", "0\n"])
def test_message_without_a_usable_pid(lock_dir: Path, content: str) -> None:
    with run_lock(lock_dir, wait=0) as path:
        path.write_text(content)
        with pytest.raises(LockedError) as info, run_lock(lock_dir, wait=0):
            pass  # pragma: no cover
    assert str(info.value).startswith("another crackjack run is working in this worktree")


def test_message_leaves_out_a_dead_pid(lock_dir: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    with run_lock(lock_dir, wait=0) as path:
        path.write_text(f"{dead.pid}\n")
        with (
            pytest.raises(LockedError, match=r"^another crackjack run is"),
            run_lock(lock_dir, wait=0),
        ):
            pass  # pragma: no cover


def test_message_keeps_a_pid_of_another_user(
    lock_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_yours(pid: int, signum: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    with run_lock(lock_dir, wait=0):
        monkeypatch.setattr(os, "kill", not_yours)
        with (
            pytest.raises(LockedError, match=rf"\(pid {os.getpid()}\)"),
            run_lock(lock_dir, wait=0),
        ):
            pass  # pragma: no cover


def test_locked_error_is_a_refusal() -> None:
    assert issubclass(LockedError, RepositoryStateError)


def test_a_lock_file_that_cannot_be_opened(tmp_path: Path) -> None:
    write(tmp_path / "a-file")
    expected = r"cannot open the lock file .*a-file/run\.lock: File exists"
    with pytest.raises(CrackjackError, match=expected), run_lock(tmp_path / "a-file", wait=0):
        pass  # pragma: no cover


def test_a_lock_that_cannot_be_taken(lock_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    expected = r"cannot lock .*run\.lock: No locks available"
    with pytest.raises(CrackjackError, match=expected), run_lock(lock_dir, wait=1):
        pass  # pragma: no cover


# where the lock lives


def _lock_dir(path: Path) -> Path:
    return lock_dir_for(path, work_tree_or_none(path))


def test_lock_dir_in_a_repository_is_in_its_git_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    sub = write(repo / "sub" / "a.py").parent
    expected = repo.resolve() / ".git" / "crackjack"
    assert _lock_dir(repo) == expected
    assert _lock_dir(sub) == expected


def test_lock_dir_is_per_linked_worktree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "a.py")
    commit_all(repo)
    linked = tmp_path / "linked"
    run_git(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    assert _lock_dir(linked) == repo.resolve() / ".git" / "worktrees" / "linked" / "crackjack"
    assert _lock_dir(linked) != _lock_dir(repo)


def test_lock_dir_outside_git_is_in_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    project = tmp_path / "my project!"
    project.mkdir()
    digest = hashlib.sha256(os.fsencode(project.resolve())).hexdigest()[:16]
    assert _lock_dir(project) == cache / "crackjack" / "locks" / f"my_project_-{digest}"
    alias = tmp_path / "alias"
    alias.symlink_to(project, target_is_directory=True)
    assert _lock_dir(alias) == _lock_dir(project)
    other = tmp_path / "other"
    other.mkdir()
    assert _lock_dir(other) != _lock_dir(project)
    with run_lock(_lock_dir(project), wait=0) as path:
        assert path.is_file()
    assert os.listdir(project) == []


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_lock_dir_outside_git_defaults_to_dot_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdg: str | None
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    locks = _lock_dir(tmp_path).parent
    assert locks == home / ".cache" / "crackjack" / "locks"


def test_lock_dir_for_the_filesystem_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _lock_dir(Path("/")).name.startswith("root-")


def test_lock_dir_without_a_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    with pytest.raises(ConfigError, match="set HOME or XDG_CACHE_HOME"):
        _lock_dir(tmp_path)


def test_flock_polled_waits_for_a_release_and_gives_up_at_its_deadline_or_stop(
    tmp_path: Path,
) -> None:
    # The one polling loop of both locks (the run lock and an environment's).
    path = tmp_path / "lock"
    path.touch()
    holder, waiter = os.open(path, os.O_RDWR), os.open(path, os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert not flock_polled(waiter, until=0.0)
        started = time.monotonic()
        assert not flock_polled(waiter, until=started + 0.2)
        assert time.monotonic() - started >= 0.2
        calls: list[int] = []

        def stop() -> bool:
            calls.append(1)
            return len(calls) > 3

        assert not flock_polled(waiter, until=None, stop=stop)
        assert len(calls) == 4
        threading.Timer(0.1, fcntl.flock, (holder, fcntl.LOCK_UN)).start()
        assert flock_polled(waiter, until=time.monotonic() + 30)
    finally:
        os.close(holder)
        os.close(waiter)
