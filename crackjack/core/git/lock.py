"""One crackjack run at a time per work tree (DESIGN.md 6.7).

``run_lock`` holds an exclusive ``flock`` on ``run.lock`` in the lock folder for the whole run.
The operating system releases it when the process ends, however it ends (even SIGKILL), so a
crashed run never leaves a stale lock behind. The holder writes its pid into the file, so a
second run can say who holds it; the file itself is never deleted (deleting a lock file that
others may have open lets two processes lock two different files).

Where the lock lives (``lock_dir_for``):

- in a git work tree: ``WorkTree.crackjack_dir``, in the work tree's own git directory, so each
  linked worktree has its own lock and the project's files are never touched;
- elsewhere: ``$XDG_CACHE_HOME/crackjack/locks/NAME-HASH/`` (``~/.cache`` when
  ``XDG_CACHE_HOME`` is unset), keyed by the project root's resolved path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from crackjack.core.digest import hexdigest
from crackjack.core.errors import ConfigError, CrackjackError, RepositoryStateError
from crackjack.core.files.fsutil import describe_os_error, flock_polled, user_cache_home
from crackjack.core.git.worktree import WorkTree

LOCK_FILE = "run.lock"


class LockedError(RepositoryStateError):
    """Another crackjack run holds the lock of this work tree (exit 2: run again later)."""


class LockUnavailable(RepositoryStateError):
    """The lock file cannot be created here: a read-only file system, or a folder this user may
    not write (exit 2 for a run that may write; a check-only run goes on without it).
    ``problem`` says which file and why."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"{problem}: a run that may change files needs it; a check-only run (--ci, without"
            " --staged) works without it"
        )
        self.problem = problem


_UNWRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


@contextlib.contextmanager
def run_lock(lock_dir: Path, *, wait: float = 5.0) -> Iterator[Path]:
    """Hold the run lock in ``lock_dir`` (created if needed) while the block runs.

    When another process holds it, retry for up to ``wait`` seconds, then raise LockedError;
    LockUnavailable when the file cannot be created (read-only file system, no permission).
    Yields the lock file's path. The lock is per open file, not per process: a second
    ``run_lock`` on the same folder in the same process waits too.
    """
    path = lock_dir / LOCK_FILE
    fd = _open(path)
    try:
        if not _acquire(fd, path, wait):
            raise LockedError(_locked_message(fd, path, wait))
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def lock_dir_for(root: Path, tree: WorkTree | None) -> Path:
    """Where the run lock of the project at ``root``, in the work tree ``tree`` (None outside
    one), lives (see the module docstring)."""
    if tree is not None:
        return tree.crackjack_dir
    return _cache_home() / "crackjack" / "locks" / _key(root)


def _open(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, flags, 0o644)
    except OSError as exc:
        problem = f"cannot open the lock file {path}: {describe_os_error(exc)}"
        if exc.errno in _UNWRITABLE:
            raise LockUnavailable(problem) from None
        raise CrackjackError(problem) from None


def _acquire(fd: int, path: Path, wait: float) -> bool:
    """Try to lock for up to ``wait`` seconds (``fsutil.flock_polled``)."""
    try:
        return flock_polled(fd, until=time.monotonic() + wait)
    except OSError as exc:
        raise CrackjackError(f"cannot lock {path}: {describe_os_error(exc)}") from None


def _locked_message(fd: int, path: Path, wait: float) -> str:
    """Names the holder by the pid it recorded, if that process is still alive."""
    try:
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError):
        pid = 0
    who = "another crackjack run" + (f" (pid {pid})" if process_alive(pid) else "")
    return (
        f"{who} is working in this worktree (waited {wait:g}s for it); "
        f"run again once it has finished. Lock file: {path}"
    )


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (another user's counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cache_home() -> Path:
    home = user_cache_home()
    if home is None:
        raise ConfigError("cannot find a folder for crackjack's lock: set HOME or XDG_CACHE_HOME")
    return home


def _key(root: Path) -> str:
    """A folder name for ``root``: readable, and unique thanks to a hash of its real path."""
    real = os.path.realpath(root)
    digest = hexdigest(os.fsencode(real))[:16]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(real))[:40] or "root"
    return f"{name}-{digest}"
