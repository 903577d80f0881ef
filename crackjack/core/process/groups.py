"""The process groups a run starts, recorded where a later run finds them (DESIGN.md 6.1).

``run_process`` kills a child's whole process group before it returns, but a crackjack killed
outright (SIGKILL, the OOM killer) cannot: its hooks go on in their own groups and may write
over files that ``crackjack recover`` has just put back. So while a run holds its work tree's
lock, ``recording(folder)`` makes ``run_process`` keep one small file per group in ``folder``,
named by the group's id and holding the recording process's pid and start time and the run's
*mark*: a random token also put in each child's environment as ``CRACKJACK_RUN_MARK``. The
file is written when the group starts and removed once the group is gone. ``stop_left_over``,
called before anything is restored, kills what is left of the groups whose recording process
is gone: SIGTERM, a short grace, SIGKILL, then it waits until none of them is left.

A group counts as ours only while one of its live processes was started with the mark in its
environment (``/proc/<pid>/environ``): a group id cannot be given to a new process while the
group has a process, so a reused pid never makes crackjack kill a stranger. A process that
dropped the mark is killed with its group while another process of the group still has it.
The files are not fsynced: a SIGKILL loses no write to the page cache, and after a power loss
no process is left. Linux only (``/proc``): elsewhere nothing is recorded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from crackjack.core.errors import CrackjackError
from crackjack.core.valueclass import value

MARK_ENV = "CRACKJACK_RUN_MARK"
_PROC = Path("/proc")
_GRACE = 2.0
"""How long a left-over group is given to end after SIGTERM."""
_GIVE_UP = 10.0
"""How long a left-over group may take to die after SIGKILL (a process stuck in the kernel)."""
_POLL = 0.02


class LeftOverProcesses(CrackjackError):
    """Processes an earlier run started did not die even after SIGKILL. Exit 3."""


@value
class _Recording:
    """Where this run records its process groups, for whom, under which mark."""

    folder: Path
    owner: str
    mark: str


_recording: _Recording | None = None


@contextmanager
def recording(folder: Path) -> Iterator[None]:
    """Record in ``folder`` the process groups ``run_process`` starts inside the block (see the
    module docstring); nothing where there is no ``/proc`` or ``folder`` cannot be made."""
    global _recording
    owner = _identity(os.getpid())
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        owner = None
    previous = _recording
    if owner is not None:
        _recording = _Recording(folder, owner, os.urandom(8).hex())
    try:
        yield
    finally:
        _recording = previous


def marked(env: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """``env`` (None: this process's own) with the run's mark, while a run records."""
    if _recording is None:
        return env
    return {**(os.environ if env is None else env), MARK_ENV: _recording.mark}


def record(pgid: int) -> Path | None:
    """Write the record of the group ``pgid`` just started (None: nothing recorded)."""
    current = _recording
    if current is None:
        return None
    path = current.folder / str(pgid)
    try:
        path.write_text(f"{current.owner} {current.mark}\n", encoding="ascii")
    except OSError:
        return None
    return path


def forget(path: Path | None) -> None:
    """Remove the record of a group that is gone."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def stop_left_over(folder: Path) -> None:
    """Kill what is left of the groups recorded in ``folder`` by processes that are gone, and
    wait until none of their processes is left; LeftOverProcesses if one survives SIGKILL."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    marks: dict[int, str] = {}
    for name in names:
        path = folder / name
        try:
            pid, start, mark = path.read_text(encoding="ascii").split()
            pgid = int(name)
        except (OSError, ValueError):
            continue
        if _identity(int(pid)) == f"{pid} {start}":
            continue  # its run is still going
        marks[pgid] = mark
    _stop(marks)
    for pgid in marks:
        forget(folder / str(pgid))


def _stop(marks: Mapping[int, str]) -> None:
    alive = _ours(marks)
    for signum, within in ((signal.SIGTERM, _GRACE), (signal.SIGKILL, _GIVE_UP)):
        for pgid in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signum)
        deadline = time.monotonic() + within
        while alive and time.monotonic() < deadline:
            time.sleep(_POLL)
            alive = _ours(marks)
        if not alive:
            return
    raise LeftOverProcesses(
        "processes that an earlier crackjack run started do not die even after SIGKILL "
        f"(process groups {', '.join(map(str, sorted(alive)))}); nothing was restored. Stop "
        "them, then run crackjack again"
    )


def _ours(marks: Mapping[int, str]) -> set[int]:
    """The groups of ``marks`` that still have a live process started with their mark."""
    if not marks:
        return set()
    found: set[int] = set()
    for name in os.listdir(_PROC):
        if not name.isdigit():
            continue
        fields = _stat_fields(int(name))
        if fields is None or fields[0] in ("Z", "X"):
            continue
        pgid = int(fields[2])
        if pgid in marks and pgid not in found and _has_mark(int(name), marks[pgid]):
            found.add(pgid)
    return found


def _has_mark(pid: int, mark: str) -> bool:
    try:
        environ = (_PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"\0{MARK_ENV}={mark}\0".encode() in b"\0" + environ


def _identity(pid: int) -> str | None:
    """``pid`` and its start time (clock ticks after boot): a process that is not another
    with the same pid. None when there is no such live process (a zombie has ended), or no
    ``/proc``."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return f"{pid} {fields[19]}"


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (the state first)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    return stat.rpartition(b")")[2].decode("ascii").split()
