from __future__ import annotations

import os
import select
import signal
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from crackjack.core.process import run as process
from crackjack.core.process.run import Cancellation, ProcessOutcome, ProcessRequest, run_process
from tests.processes import kill_leftovers, wait_gone

SAFETY_TIMEOUT = 30.0
"""Bounds every child of these tests, so a broken run_process fails a test instead of hanging."""

PROMPTLY = 10.0
"""A generous upper bound proving a run did not wait for its child's 60 s sleep."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """The block ends less than ``seconds`` after it began (a generous bound, not a timing)."""
    start = time.monotonic()
    yield
    assert time.monotonic() - start < seconds


def python(code: str, **kwargs: Any) -> ProcessRequest:
    kwargs.setdefault("timeout", SAFETY_TIMEOUT)
    kwargs.setdefault("cwd", Path.cwd())
    return ProcessRequest(argv=(sys.executable, "-c", code), **kwargs)


@pytest.fixture
def stray_pids() -> Iterator[list[int]]:
    """Pids a test expects to be dead; any still alive at the end are killed."""
    pids: list[int] = []
    yield pids
    kill_leftovers(pids)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "ready"
    os.mkfifo(path)
    return path


def wait_ready(fifo: Path) -> None:
    """Wait (at most 10 s) for a child to write ``ready`` into ``fifo``."""
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        readable, _, _ = select.select([fd], [], [], 10.0)
        assert readable, "the child never got ready"
        assert os.read(fd, 5) == b"ready"
    finally:
        os.close(fd)


def signal_ready(fifo: Path) -> str:
    return f"open({str(fifo)!r}, 'wb').write(b'ready')"


@pytest.fixture
def in_thread() -> Iterator[Callable[..., Future[ProcessOutcome]]]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield lambda *args: pool.submit(run_process, *args)


@pytest.mark.parametrize("code", [0, 3])
def test_returncode_and_merged_output(code: int) -> None:
    outcome = run_process(
        python(f"import sys; print('out'); print('err', file=sys.stderr); sys.exit({code})")
    )
    assert outcome.returncode == code
    assert outcome.signal is None
    assert sorted(outcome.text.split()) == ["err", "out"]
    assert outcome.stderr == b""
    assert outcome.total_bytes == len(outcome.output)
    assert outcome.start_error is None
    assert not outcome.timed_out
    assert not outcome.cancelled


def test_missing_program_is_a_start_error() -> None:
    outcome = run_process(ProcessRequest(argv=("crackjack-no-such-tool",), cwd=Path.cwd()))
    assert outcome.returncode is None
    assert outcome.start_error == "No such file or directory: 'crackjack-no-such-tool'"


def test_non_executable_file_is_a_start_error(tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\n")
    outcome = run_process(ProcessRequest(argv=(str(script),), cwd=tmp_path))
    assert outcome.returncode is None
    assert outcome.start_error == f"Permission denied: {str(script)!r}"


def test_missing_cwd_is_a_start_error(tmp_path: Path) -> None:
    outcome = run_process(python("pass", cwd=tmp_path / "missing"))
    assert outcome.returncode is None
    assert outcome.start_error is not None
    assert outcome.start_error.startswith("No such file or directory")


def test_invalid_environment_is_a_start_error() -> None:
    outcome = run_process(python("pass", env={"A=B": "c"}))
    assert outcome.returncode is None
    assert outcome.start_error is not None


def test_child_killed_by_a_signal() -> None:
    outcome = run_process(python("import os, signal; os.kill(os.getpid(), signal.SIGTERM)"))
    assert outcome.returncode == -signal.SIGTERM
    assert outcome.signal == signal.SIGTERM


def test_timeout_kills_the_child_and_its_grandchild(stray_pids: list[int]) -> None:
    code = (
        "import os, subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(os.getpid(), p.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    with within(PROMPTLY):
        outcome = run_process(python(code, timeout=2.0, kill_grace=5.0))
    stray_pids.extend(int(pid) for pid in outcome.text.split())
    assert outcome.timed_out
    assert not outcome.cancelled
    assert outcome.returncode == -signal.SIGTERM
    assert len(stray_pids) == 2
    assert wait_gone(stray_pids) == []


def test_child_ignoring_sigterm_is_killed_after_the_grace(
    fifo: Path, in_thread: Callable[..., Future[ProcessOutcome]]
) -> None:
    code = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"{signal_ready(fifo)}\n"
        "print('ignoring', flush=True)\n"
        "time.sleep(60)\n"
    )
    with Cancellation() as cancellation:
        future = in_thread(python(code, kill_grace=0.5), cancellation)
        wait_ready(fifo)
        with within(PROMPTLY):
            cancellation.cancel()
            outcome = future.result(timeout=20)
    assert outcome.cancelled
    assert outcome.returncode == -signal.SIGKILL
    assert outcome.text == "ignoring\n"


@pytest.mark.parametrize("cancel_first", [False, True])
def test_forced_cancel_skips_the_grace(
    fifo: Path, in_thread: Callable[..., Future[ProcessOutcome]], cancel_first: bool
) -> None:
    code = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"{signal_ready(fifo)}\n"
        "time.sleep(60)\n"
    )
    with Cancellation() as cancellation:
        future = in_thread(python(code, kill_grace=60.0), cancellation)
        wait_ready(fifo)
        with within(PROMPTLY):
            if cancel_first:
                cancellation.cancel()
            cancellation.cancel(force=True)
            outcome = future.result(timeout=20)
    assert outcome.cancelled
    assert outcome.returncode == -signal.SIGKILL


def test_cancellation_from_another_thread_wakes_the_runner(
    fifo: Path, in_thread: Callable[..., Future[ProcessOutcome]]
) -> None:
    code = f"import time\n{signal_ready(fifo)}\ntime.sleep(60)\n"
    with Cancellation() as cancellation:
        future = in_thread(python(code, timeout=None), cancellation)
        wait_ready(fifo)
        with within(PROMPTLY):
            cancellation.cancel()
            assert cancellation.cancelled
            outcome = future.result(timeout=20)
    assert outcome.cancelled
    assert not outcome.timed_out
    assert outcome.returncode == -signal.SIGTERM


def test_a_cancelled_run_does_not_start() -> None:
    with Cancellation() as cancellation:
        cancellation.cancel()
        outcome = run_process(python("pass"), cancellation)
    assert outcome.cancelled
    assert outcome.returncode is None
    assert outcome.start_error is None


def test_cancellation_is_idempotent_and_harmless_once_closed() -> None:
    cancellation = Cancellation()
    cancellation.cancel(force=True)
    cancellation.cancel(force=True)
    assert cancellation.cancelled
    assert cancellation.forced
    cancellation.close()
    cancellation.close()
    Cancellation().close()
    closed = Cancellation()
    closed.close()
    closed.cancel()
    assert closed.cancelled


def test_grandchild_holding_the_pipe_after_the_child_exits(stray_pids: list[int]) -> None:
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(p.pid, flush=True)\n"
    )
    with within(PROMPTLY):
        outcome = run_process(python(code, kill_grace=30.0))
    stray_pids.append(int(outcome.text))
    assert outcome.returncode == 0
    assert wait_gone(stray_pids[:1]) == []


def test_grandchild_escaped_to_its_own_session_does_not_hang_the_run(
    stray_pids: list[int],
) -> None:
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen(\n"
        "    [sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True\n"
        ")\n"
        "print(p.pid, flush=True)\n"
    )
    with within(PROMPTLY):
        outcome = run_process(python(code, kill_grace=0.5))
    stray_pids.append(int(outcome.text))
    assert outcome.returncode == 0


def test_large_output_costs_bounded_memory(tmp_path: Path) -> None:
    mib = 1024 * 1024
    code = (
        "import sys\n"
        "block = bytes(range(256)) * 4096\n"
        "for _ in range(50):\n"
        "    sys.stdout.buffer.write(block)\n"
    )
    spill = tmp_path / "output.log"
    tracemalloc.start()
    try:
        outcome = run_process(python(code, tail_bytes=256 * 1024, spill_path=spill))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    block = bytes(range(256)) * 4096
    assert outcome.returncode == 0
    assert outcome.total_bytes == 50 * mib
    assert outcome.output == block[-256 * 1024 :]
    assert outcome.total_bytes > len(outcome.output)
    assert outcome.spilled_to == spill
    assert spill.stat().st_size == 50 * mib
    with spill.open("rb") as f:
        assert f.read(mib) == block
    assert peak < 8 * mib


def test_non_utf8_output_is_decoded_with_replacement() -> None:
    outcome = run_process(python(r"import sys; sys.stdout.buffer.write(b'caf\xe9\n')"))
    assert outcome.output == b"caf\xe9\n"
    assert outcome.text == "caf\ufffd\n"


def test_separate_stderr_and_unbounded_output() -> None:
    code = "import sys\nsys.stdout.write('o' * 1_000_000)\nsys.stderr.write('e' * 100_000)\n"
    outcome = run_process(python(code, tail_bytes=None, merge_stderr=False))
    assert outcome.output == b"o" * 1_000_000
    assert outcome.total_bytes == 1_000_000
    assert outcome.total_bytes == len(outcome.output)
    assert outcome.spilled_to is None
    assert outcome.stderr == b"e" * process.STDERR_TAIL_BYTES


def test_stdin_is_dev_null() -> None:
    outcome = run_process(python("import sys; print(repr(sys.stdin.read()))"))
    assert outcome.returncode == 0
    assert outcome.text == "''\n"


def test_cwd_and_environment(tmp_path: Path) -> None:
    code = "import os; print(os.getcwd()); print(sorted(k for k in os.environ if k != 'LC_CTYPE'))"
    outcome = run_process(python(code, cwd=tmp_path, env={"ONLY": "1"}))
    assert outcome.text.splitlines() == [str(tmp_path), "['ONLY']"]


def test_concurrent_runs_do_not_mix(tmp_path: Path) -> None:
    def run(i: int) -> ProcessOutcome:
        code = f"import sys, time; time.sleep(0.2); print({i} * 'x'); sys.exit({i})"
        return run_process(python(code, spill_path=tmp_path / f"{i}.log"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(run, range(8)))
    for i, outcome in enumerate(outcomes):
        assert outcome.returncode == i
        assert outcome.text == i * "x" + "\n"


@pytest.mark.parametrize("pidfd_fails", [False, True])
def test_without_pidfd_the_exit_is_polled(
    monkeypatch: pytest.MonkeyPatch, stray_pids: list[int], pidfd_fails: bool
) -> None:
    if pidfd_fails:

        def pidfd_open(pid: int, flags: int = 0) -> int:
            raise OSError(38, "Function not implemented")

        monkeypatch.setattr(os, "pidfd_open", pidfd_open, raising=False)
    else:
        monkeypatch.delattr(os, "pidfd_open", raising=False)
    assert run_process(python("import sys; sys.exit(4)")).returncode == 4
    code = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"
    outcome = run_process(python(code, timeout=1.0))
    stray_pids.append(int(outcome.text))
    assert outcome.timed_out
    assert outcome.returncode == -signal.SIGTERM


def test_an_error_while_waiting_still_kills_and_reaps(monkeypatch: pytest.MonkeyPatch) -> None:
    pids: list[int] = []

    def broken(watch: Any, *args: Any) -> Any:
        pids.append(watch.pid)
        raise KeyboardInterrupt

    monkeypatch.setattr(process, "_supervise", broken)
    with pytest.raises(KeyboardInterrupt):
        run_process(python("import time; time.sleep(60)"))
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("argv", ()), ("timeout", -1.0), ("kill_grace", -1.0), ("tail_bytes", -1)],
)
def test_invalid_requests_are_refused(field: str, value: object) -> None:
    fields: dict[str, Any] = {"argv": ("true",), "cwd": Path.cwd(), field: value}
    with pytest.raises(ValueError, match=field):
        ProcessRequest(**fields)


def test_setup_failure_after_the_start_still_kills_and_reaps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spawned: list[int] = []
    spawn = process._spawn

    def recording_spawn(request: ProcessRequest, channel: tuple[int, int] | None) -> Any:
        proc = spawn(request, channel)
        spawned.append(proc.pid)
        return proc

    def no_pidfd(pid: int) -> int:
        raise RuntimeError("no pidfd today")

    monkeypatch.setattr(process, "_spawn", recording_spawn)
    monkeypatch.setattr(process, "_open_pidfd", no_pidfd)
    with pytest.raises(RuntimeError, match="no pidfd today"):
        run_process(python("import time; time.sleep(60)"))
    with pytest.raises(ProcessLookupError):
        os.kill(spawned[0], 0)


def test_argv_with_a_nul_byte_is_a_start_error() -> None:
    outcome = run_process(ProcessRequest(argv=("a\0b",), cwd=Path.cwd()))
    assert outcome.returncode is None
    assert outcome.start_error == "embedded null byte"


def test_start_error_without_a_file_name() -> None:
    assert process._describe_start_error(OSError(24, "Too many open files")) == (
        "Too many open files"
    )


def test_a_pid_that_is_not_our_child_counts_as_exited() -> None:
    assert process._has_exited(os.getpid())


# --- the side channel: a second pipe a child reports on ----------------------------------------


def open_fds() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


def test_side_channel_delivers_everything_in_order_apart_from_the_output() -> None:
    received: list[bytes] = []
    code = (
        "import os, sys\n"
        "fd = int(os.environ['REPORT_FD'])\n"
        "for i in range(2000):\n"
        "    os.write(fd, b'line %d\\n' % i)\n"
        "print('plain output')\n"
    )
    before = open_fds()
    outcome = run_process(
        python(code, side_channel=process.SideChannel("REPORT_FD", received.append))
    )
    assert outcome.returncode == 0
    assert outcome.text == "plain output\n"
    assert b"".join(received) == b"".join(b"line %d\n" % i for i in range(2000))
    assert open_fds() == before


def test_side_channel_is_not_given_to_other_processes_and_closed_on_start_errors() -> None:
    before = open_fds()
    request = ProcessRequest(
        argv=("/no/such/program",),
        cwd=Path.cwd(),
        side_channel=process.SideChannel("REPORT_FD", lambda data: None),
    )
    outcome = run_process(request)
    assert outcome.start_error is not None
    assert open_fds() == before
    plain = run_process(python("import os; print(os.environ.get('REPORT_FD'))"))
    assert plain.text == "None\n"


def test_side_channel_is_drained_after_a_kill(stray_pids: list[int]) -> None:
    received: list[bytes] = []
    code = (
        "import os, time\n"
        "os.write(int(os.environ['REPORT_FD']), b'before the hang\\n')\n"
        "time.sleep(60)\n"
    )
    request = python(
        code,
        timeout=1.0,
        kill_grace=0.1,
        side_channel=process.SideChannel("REPORT_FD", received.append),
    )
    outcome = run_process(request)
    assert outcome.timed_out
    assert b"".join(received) == b"before the hang\n"
