"""The one place crackjack runs subprocesses (DESIGN.md 6.1-6.2).

``run_process`` starts an argv (never a shell) in its own session with stdin from ``/dev/null``,
captures its output with a bounded memory cost, and returns a ``ProcessOutcome``: it never raises
for a non-zero exit or a program that cannot be started. One thread waits at once on the output
pipes, a pidfd for the child's exit, the cancellation self-pipe and the deadline, so it neither
polls nor blocks on a pipe that a stray grandchild keeps open. Whatever happens, the child's whole
process group is killed and the child is reaped before ``run_process`` returns.

Should crackjack itself be killed outright, its children are not left to go on: each group is
recorded while it runs (``crackjack.core.process.groups``) for the next run to kill, and on
Linux a child started with ``dies_with_parent`` gets SIGKILL the moment the thread that started
it ends (``PR_SET_PDEATHSIG``). That thread is the one that waits in ``run_process`` until the
child is reaped, so a live run never loses a child that way.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import os
import selectors
import signal
import subprocess  # nosec B404
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from crackjack.core.process import groups
from crackjack.core.process.capture import Kept, OutputCapture, decode
from crackjack.core.valueclass import field, value

STDERR_TAIL_BYTES = 64 * 1024
"""How much of a separately captured stderr is kept."""

_CHUNK = 64 * 1024
_POLL_INTERVAL = 0.05
"""How often the child's exit is checked where ``os.pidfd_open`` is unavailable."""
_PR_SET_PDEATHSIG = 1


class Cancellation:
    """Stops every ``run_process`` that was given it, from any thread.

    ``cancel()`` wakes the waiting runners at once through a self-pipe: they send SIGTERM to their
    process groups, give them ``kill_grace`` seconds, then SIGKILL them. ``cancel(force=True)``,
    also after a plain ``cancel()``, skips (or cuts short) that grace. Safe to call from a signal
    handler. ``close()`` releases the pipes; call it only once no run uses the object.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._cancel_fds = os.pipe()
        self._force_fds = os.pipe()
        self._cancelled = False
        self._forced = False
        self._closed = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def forced(self) -> bool:
        return self._forced

    def cancel(self, *, force: bool = False) -> None:
        with self._lock:
            if not self._cancelled:
                self._cancelled = True
                self._wake(self._cancel_fds[1])
            if force and not self._forced:
                self._forced = True
                self._wake(self._force_fds[1])

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for fd in (*self._cancel_fds, *self._force_fds):
                os.close(fd)

    def __enter__(self) -> Cancellation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _wake(self, write_fd: int) -> None:
        """Make a self-pipe readable for good: runners never read it, so all of them see it."""
        if not self._closed:
            os.write(write_fd, b"\0")

    def _read_fds(self) -> tuple[int, int]:
        """The ends runners watch: readable once cancelled, and once forced."""
        return self._cancel_fds[0], self._force_fds[0]


@value
class SideChannel:
    """Where a child reports besides its output (a test runner's plugin, for example).

    ``receive`` is called on the runner's thread with each chunk read, in order, and may be
    called until the child and everything it started have closed the pipe.
    """

    env: str
    receive: Callable[[bytes], None]


@value(kw_only=True)
class ProcessRequest:
    """What to run and how. ``env=None`` inherits ``os.environ``; ``timeout`` covers the whole
    process; ``head_bytes`` of the output's start are kept besides the tail;
    ``tail_bytes=None`` keeps all output (for git); with ``merge_stderr=False`` stderr is
    captured on its own, keeping a ``STDERR_TAIL_BYTES`` tail. A ``side_channel`` is a second pipe
    for the child to report on: its write end's number is in the child's environment variable
    ``side_channel.env``, and what arrives on it is handed to ``side_channel.receive``.
    ``dies_with_parent``: on Linux the child is killed if crackjack dies (see the module
    docstring); it costs a ``fork`` in place of a ``vfork`` (3 to 4.5 ms in crackjack), so git's
    many short calls go without it. ``pass_fds``: the caller's descriptors the child inherits
    (the caller closes them)."""

    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] | None = None
    timeout: float | None = None
    kill_grace: float = 2.0
    head_bytes: int = 0
    tail_bytes: int | None = 256 * 1024
    spill_path: Path | None = None
    merge_stderr: bool = True
    side_channel: SideChannel | None = None
    dies_with_parent: bool = True
    pass_fds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.argv:
            raise ValueError("argv must not be empty")
        if self.timeout is not None and self.timeout < 0:
            raise ValueError(f"timeout must be >= 0, not {self.timeout}")
        if self.kill_grace < 0:
            raise ValueError(f"kill_grace must be >= 0, not {self.kill_grace}")
        if self.tail_bytes is not None and self.tail_bytes < 0:
            raise ValueError(f"tail_bytes must be >= 0, not {self.tail_bytes}")


@value(kw_only=True)
class ProcessOutcome:
    """How a process ended. ``returncode`` is None when it was never started (see
    ``start_error``); negative when a signal killed it. ``output`` is stdout (with stderr when
    merged): the kept head and tail, or everything; ``kept``: with a bounded output, the same
    as text; ``total_bytes`` counts all of that stream."""

    returncode: int | None
    output: bytes = b""
    kept: Kept = field(default_factory=Kept)
    stderr: bytes = b""
    total_bytes: int = 0
    spilled_to: Path | None = None
    timed_out: bool = False
    cancelled: bool = False
    start_error: str | None = None

    @property
    def signal(self) -> int | None:
        """The signal that killed the process, if one did."""
        if self.returncode is not None and self.returncode < 0:
            return -self.returncode
        return None

    @property
    def text(self) -> str:
        return decode(self.output)


class _Ending(enum.Enum):
    EXITED = enum.auto()
    TIMED_OUT = enum.auto()
    CANCELLED = enum.auto()


class Running:
    """A program ``start_process`` started that nobody watches yet (the longest hook's head
    start, ``core.run.headstart``): ``run_process`` given it watches it to its end; ``kill``
    ends it unwatched. Its group is recorded only if a run records groups as it starts."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.record = groups.record(proc.pid)
        self.claimed = False
        self.used = False
        """Watched to its end by ``run_process`` (not killed unwatched)."""

    def kill(self) -> None:
        """SIGKILL its group, reap it and close its pipes (a program no run will use)."""
        if self.claimed:
            return
        self.claimed = True
        _signal_group(self.proc.pid, signal.SIGKILL)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        self.proc.wait()
        groups.forget(self.record)


def can_die_with_parent() -> bool:
    """Whether a child can be made to die with crackjack here (``dies_with_parent``)."""
    return _prctl() is not None


def start_process(request: ProcessRequest) -> Running | ProcessOutcome:
    """Start ``request``'s program for ``run_process`` to watch later (no side channel), on the
    thread that will outlive it (``dies_with_parent``); a ``ProcessOutcome`` if it cannot start."""
    if request.side_channel is not None:
        raise ValueError("a program started ahead has no side channel")
    proc = _started(request, None)
    return proc if isinstance(proc, ProcessOutcome) else Running(proc)


def run_process(
    request: ProcessRequest,
    cancellation: Cancellation | None = None,
    on_start: Callable[[], None] | None = None,
    running: Running | None = None,
) -> ProcessOutcome:
    """Run ``request`` to its end (see the module docstring). Thread-safe.

    A run whose ``cancellation`` is already cancelled does not start the program. ``on_start``
    is called once the program has started (work to do while it runs). ``running``: the
    program ``start_process`` started for ``request`` (its output kept as ``request`` says).
    """
    if cancellation is not None and cancellation.cancelled:
        if running is not None:
            running.kill()
        return ProcessOutcome(returncode=None, cancelled=True)
    started = time.monotonic()  # a program started ahead: its timeout counts from now too
    if running is None:
        channel = None if request.side_channel is None else os.pipe()
        try:
            spawned = _started(request, channel)
        finally:
            if channel is not None:
                os.close(channel[1])
        if isinstance(spawned, ProcessOutcome):
            if channel is not None:
                os.close(channel[0])
            return spawned
        proc, record = spawned, groups.record(spawned.pid)
        channel_fd = None if channel is None else channel[0]
    else:
        running.claimed = running.used = True
        proc, record, channel_fd = running.proc, running.record, None
    watch: _Watch | None = None
    try:
        watch = _Watch(proc, request, channel_fd)
        if on_start is not None:
            on_start()
        ending = _supervise(watch, request, cancellation, started)
    except BaseException:
        _signal_group(proc.pid, signal.SIGKILL)
        raise
    finally:
        if watch is not None:
            watch.close()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        returncode = proc.wait()
        groups.forget(record)
    return ProcessOutcome(
        returncode=returncode,
        output=watch.output.head + watch.output.tail,
        kept=Kept() if request.tail_bytes is None else watch.output.kept(),
        stderr=watch.stderr.tail,
        total_bytes=watch.output.total_bytes,
        spilled_to=watch.output.spilled_to,
        timed_out=ending is _Ending.TIMED_OUT,
        cancelled=ending is _Ending.CANCELLED,
    )


def _started(
    request: ProcessRequest, channel: tuple[int, int] | None
) -> subprocess.Popen[bytes] | ProcessOutcome:
    """``request``'s program started, or the outcome of a program that cannot start."""
    try:
        return _spawn(request, channel)
    except (OSError, ValueError) as exc:
        return ProcessOutcome(returncode=None, start_error=_describe_start_error(exc))


def _spawn(request: ProcessRequest, channel: tuple[int, int] | None) -> subprocess.Popen[bytes]:
    env = groups.marked(request.env)
    if channel is not None and request.side_channel is not None:
        env = dict(os.environ if env is None else env)
        env[request.side_channel.env] = str(channel[1])
    return subprocess.Popen(  # nosec B603
        request.argv,
        cwd=request.cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if request.merge_stderr else subprocess.PIPE,
        bufsize=0,
        close_fds=True,
        pass_fds=request.pass_fds if channel is None else (*request.pass_fds, channel[1]),
        start_new_session=True,
        preexec_fn=_killed_with_parent() if request.dies_with_parent else None,
    )


def _killed_with_parent() -> Callable[[], None] | None:
    """What the child runs before ``exec`` to get SIGKILL when the thread that started it ends
    (None where there is no ``prctl``). It only calls ``prctl`` and ``getppid``: nothing that
    takes a lock another thread may have held at the ``fork``."""
    prctl = _prctl()
    if prctl is None:
        return None
    return functools.partial(_arm_death_signal, prctl, os.getpid())


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # a few milliseconds, paid once a run starts such a child

    function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return function


def _arm_death_signal(prctl: Callable[..., int], parent: int) -> None:
    prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # crackjack ended before the signal was armed
        os._exit(1)


def _supervise(
    watch: _Watch, request: ProcessRequest, cancellation: Cancellation | None, started: float
) -> _Ending:
    """Wait for the child, stopping it on timeout or cancellation, then kill what is left of its
    group and drain the pipes. The child is not reaped yet, so its pgid cannot have been reused."""
    cancel_fd, force_fd = (None, None) if cancellation is None else cancellation._read_fds()
    deadline = None if request.timeout is None else started + request.timeout
    ending = _Ending.EXITED
    if not watch.wait(deadline, interrupt_fd=cancel_fd, for_exit=True):
        cancelled = cancellation is not None and cancellation.cancelled
        ending = _Ending.CANCELLED if cancelled else _Ending.TIMED_OUT
        _signal_group(watch.pid, signal.SIGTERM)
        watch.wait(_grace_deadline(request, cancellation), interrupt_fd=force_fd, for_exit=True)
    _signal_group(watch.pid, signal.SIGKILL)
    watch.wait(None, interrupt_fd=None, for_exit=True)
    watch.wait(_grace_deadline(request, cancellation), interrupt_fd=force_fd, for_exit=False)
    return ending


def _grace_deadline(request: ProcessRequest, cancellation: Cancellation | None) -> float:
    forced = cancellation is not None and cancellation.forced
    return time.monotonic() + (0.0 if forced else request.kill_grace)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


class _Watch:
    """The child's output pipes and exit, watched together with one selector."""

    def __init__(
        self, proc: subprocess.Popen[bytes], request: ProcessRequest, channel_fd: int | None
    ) -> None:
        self.pid = proc.pid
        self.output = OutputCapture(
            request.tail_bytes, request.spill_path, head_bytes=request.head_bytes
        )
        self.stderr = OutputCapture(STDERR_TAIL_BYTES)
        self.exited = False
        self._open_pipes = 0
        self._pidfd: int | None = None
        self._channel_fd = channel_fd
        self._selector = selectors.DefaultSelector()
        try:
            self._register_pipe(proc.stdout, self.output)
            self._register_pipe(proc.stderr, self.stderr)
            if channel_fd is not None and request.side_channel is not None:
                self._register(channel_fd, request.side_channel.receive)
            self._pidfd = _open_pidfd(proc.pid)
            if self._pidfd is not None:
                self._selector.register(self._pidfd, selectors.EVENT_READ, _EXIT)
        except BaseException:
            self.close()
            raise

    def wait(self, deadline: float | None, *, interrupt_fd: int | None, for_exit: bool) -> bool:
        """Read output until the child has exited (``for_exit``) or every pipe is closed.

        Returns False when the deadline passed or ``interrupt_fd`` became readable first. Past the
        deadline, output that is ready is still read once.
        """
        if interrupt_fd is not None:
            self._selector.register(interrupt_fd, selectors.EVENT_READ, _INTERRUPT)
        try:
            return self._wait(deadline, for_exit)
        finally:
            if interrupt_fd is not None:
                self._selector.unregister(interrupt_fd)

    def close(self) -> None:
        """Release the selector and pidfd and close the captures; the pipes are the Popen's."""
        self._selector.close()
        for fd in (self._pidfd, self._channel_fd):
            if fd is not None:
                os.close(fd)
        self.output.close()
        self.stderr.close()

    def _wait(self, deadline: float | None, for_exit: bool) -> bool:
        while not self._done(for_exit):
            ready = self._selector.select(self._select_timeout(deadline, for_exit))
            interrupted = False
            for key, _ in ready:
                if key.data is _INTERRUPT:
                    interrupted = True
                elif key.data is _EXIT:
                    self._selector.unregister(key.fd)
                    self.exited = True
                else:
                    self._read(key)
            if interrupted or (deadline is not None and time.monotonic() >= deadline):
                return self._done(for_exit)
        return True

    def _done(self, for_exit: bool) -> bool:
        if not for_exit:
            return self._open_pipes == 0
        if not self.exited and self._pidfd is None:
            self.exited = _has_exited(self.pid)
        return self.exited

    def _select_timeout(self, deadline: float | None, for_exit: bool) -> float | None:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if for_exit and self._pidfd is None:
            return _POLL_INTERVAL if timeout is None else min(timeout, _POLL_INTERVAL)
        return timeout

    def _register_pipe(self, pipe: IO[bytes] | None, capture: OutputCapture) -> None:
        if pipe is not None:
            self._register(pipe.fileno(), capture.write)

    def _register(self, fd: int, receive: Callable[[bytes], None]) -> None:
        self._selector.register(fd, selectors.EVENT_READ, receive)
        self._open_pipes += 1

    def _read(self, key: selectors.SelectorKey) -> None:
        data = os.read(key.fd, _CHUNK)
        if data:
            key.data(data)
        else:
            self._selector.unregister(key.fd)
            self._open_pipes -= 1


_EXIT = object()
_INTERRUPT = object()


def _open_pidfd(pid: int) -> int | None:
    """A pidfd for the child, or None where the OS has none (then its exit is polled)."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        fd: int = pidfd_open(pid)
    except OSError:
        return None
    return fd


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (``WNOWAIT``)."""
    try:
        status = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return status is not None


def _describe_start_error(exc: OSError | ValueError) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        if exc.filename is None:
            return exc.strerror
        return f"{exc.strerror}: {os.fsdecode(exc.filename)!r}"
    return str(exc)
