"""Real crackjack processes: signals, timeouts, huge and undecodable output (DESIGN.md 6.1-6.5)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from crackjack.core.run.logs import user_logs
from crackjack.core.run.signals import stop_signals_to
from tests.processes import kill_leftovers, wait_gone
from tests.project import (
    PYTHON,
    crackjack_env,
    hook_table,
    make_project,
    start_process,
    tool,
    workflow_table,
)

EXCLUDE_TOOLS = 'exclude = [".tools/"]\n'
MINE = workflow_table("mine", ["mine"])

# Starts a grandchild, records both pids (atomically), then sleeps far longer than any test.
HANG = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(f"{os.getpid()} {child.pid}\\n")
os.replace(tmp, sys.argv[1])
time.sleep(60)
"""

MEGABYTES = 30
# Writes exactly MEGABYTES MiB in 1 KiB lines, then fails so that the summary shows its output.
FLOOD = f"""
import sys
line = b"y" * 1023 + b"\\n"
for _ in range({MEGABYTES} * 1024):
    sys.stdout.buffer.write(line)
sys.stdout.buffer.flush()
raise SystemExit(1)
"""

QUIET_FAILURE = "print('short'); raise SystemExit(1)\n"
SLOW_FAILURE = "import time; time.sleep(0.3); print('short'); raise SystemExit(1)\n"

UNDECODABLE = """
import sys
sys.stdout.buffer.write(b"bad \\xff\\xfe bytes, caf\\xc3\\xa9\\n")
raise SystemExit(1)
"""


def project_with(root: Path, code: str, **keys: object) -> Path:
    """Workflow ``mine`` running hook ``h``, a fake tool running ``code`` without file names."""
    root.mkdir(parents=True, exist_ok=True)
    keys = {"command": tool(root, "h", code), "phase": "mine", "pass_filenames": False, **keys}
    config = EXCLUDE_TOOLS + MINE + hook_table("h", **keys)
    return make_project(root, {"a.txt": "hello\n"}, config=config)


def env_for(tmp_path: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Log folders go under the test's own folder."""
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    return {"TMPDIR": str(temp), **(extra or {})}


def wait_for_file(path: Path, proc: subprocess.Popen[bytes], within: float = 20) -> str:
    deadline = time.monotonic() + within
    while not path.exists():
        assert proc.poll() is None, "crackjack ended before the hook started"
        assert time.monotonic() < deadline, f"{path} was never written"
        time.sleep(0.02)
    return path.read_text()


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; killed if the test leaves one running."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_stop_signal_kills_the_hook_and_its_children_and_exits_128_plus_signal(
    signum: signal.Signals,
    code: int,
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
) -> None:
    pid_file = tmp_path / "pids.txt"
    command = [*tool(tmp_path, "h", HANG), str(pid_file)]
    hook = hook_table("h", command=command, phase="mine", pass_filenames=False)
    project = make_project(tmp_path, {"a.txt": "hello\n"}, config=EXCLUDE_TOOLS + MINE + hook)
    proc = start_process(["-w", "mine"], project, env_for(tmp_path))
    started.append(proc)
    pids = [int(pid) for pid in wait_for_file(pid_file, proc).split()]
    try:
        sent = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
        assert proc.returncode == code, (out, err)
        assert took < 20, "crackjack did not stop promptly"
        text = out.decode()
        assert f"mine: interrupted by {signum.name}" in text
        assert re.search(r"^h \.+ interrupted ", text, re.MULTILINE), text
        assert b"Traceback" not in err
        assert wait_gone(pids) == []
    finally:
        kill_leftovers(pids)


def test_a_timed_out_hook_leaves_no_grandchild_behind(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids.txt"
    command = [*tool(tmp_path, "h", HANG), str(pid_file)]
    hook = hook_table("h", command=command, phase="mine", pass_filenames=False, timeout=0.5)
    make_project(tmp_path, {"a.txt": "hello\n"}, config=EXCLUDE_TOOLS + MINE + hook)
    start = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "crackjack", "-w", "mine"],
        cwd=tmp_path,
        env=crackjack_env(env_for(tmp_path)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert time.monotonic() - start < 20
    pids = [int(pid) for pid in pid_file.read_text().split()]
    try:
        assert done.returncode == 1, done
        assert "timed out after 0.5 s" in done.stdout.decode()
        assert b"Traceback" not in done.stderr
        assert wait_gone(pids) == []
    finally:
        kill_leftovers(pids)


# Runs crackjack (argv after the output file), sends its stdout to the file, and reports the
# peak resident memory of its process tree (the largest waited-for descendant) in KiB.
MEASURE = """
import json, resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    done = subprocess.run(sys.argv[2:], stdout=out, stdin=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "peak_kib": peak}))
"""


def peak_memory(root: Path, tmp_path: Path, name: str) -> tuple[int, int, str]:
    """Run ``crackjack -w mine`` in ``root`` from a fresh helper: exit code, peak MiB, stdout."""
    out_file = tmp_path / f"{name}.out"
    done = subprocess.run(
        [PYTHON, "-c", MEASURE, str(out_file), PYTHON, "-m", "crackjack", "-w", "mine"],
        cwd=root,
        env=crackjack_env(env_for(tmp_path)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    assert b"Traceback" not in done.stderr
    return report["code"], report["peak_kib"] // 1024, out_file.read_text(encoding="utf-8")


@pytest.mark.slow
def test_huge_output_keeps_memory_bounded_and_is_kept_in_a_log_file(tmp_path: Path) -> None:
    small = project_with(tmp_path / "small", QUIET_FAILURE)
    big = project_with(tmp_path / "big", FLOOD)
    small_code, small_peak, _ = peak_memory(small, tmp_path, "small")
    big_code, big_peak, out = peak_memory(big, tmp_path, "big")
    assert (small_code, big_code) == (1, 1)
    assert big_peak < 200, f"peak RSS {big_peak} MiB for {MEGABYTES} MiB of output"
    assert big_peak < small_peak + MEGABYTES // 2, (small_peak, big_peak)
    found = re.search(r"lines omitted; full log: (\S+\.log)$", out, re.MULTILINE)
    assert found, out[-2000:]
    log = Path(found[1])
    assert log.is_relative_to(user_logs()), "outside a repository: the user's cache"
    assert not list((tmp_path / "tmp").iterdir()), "nothing is left in the temporary folder"
    assert log.stat().st_size == MEGABYTES * 1024 * 1024
    assert len(out) < MEGABYTES * 1024 * 1024 // 10, "the summary shows only a tail"


@pytest.mark.parametrize(
    ("encoding", "shown"),
    [(None, "bad \ufffd\ufffd bytes, café"), ("ascii", "bad ?? bytes, caf?")],
    ids=["utf-8", "ascii"],
)
def test_undecodable_output_is_shown_with_replacement_characters(
    encoding: str | None, shown: str, tmp_path: Path
) -> None:
    project_with(tmp_path, UNDECODABLE)
    extra = {"PYTHONIOENCODING": encoding} if encoding else {"PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [PYTHON, "-m", "crackjack", "-w", "mine", "--verbose"],
        cwd=tmp_path,
        env=crackjack_env(env_for(tmp_path, extra)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 1
    out = done.stdout.decode("utf-8")
    assert shown in out
    assert "mine: failed in" in out
    if encoding == "ascii":
        assert done.stdout.isascii()


def test_a_closed_stdout_ends_quietly(tmp_path: Path) -> None:
    """``crackjack | head -1``: the reader goes away; no traceback, no hang, no leftovers."""
    project_with(tmp_path, SLOW_FAILURE)
    proc = subprocess.Popen(
        [PYTHON, "-m", "crackjack", "-w", "mine"],
        cwd=tmp_path,
        env=crackjack_env(env_for(tmp_path, {"PYTHONUNBUFFERED": "1"})),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith(b"== mine")
    proc.stdout.close()
    _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err, err.decode(errors="replace")
    assert b"unhandled exception" not in err, err.decode(errors="replace")
    assert b"BrokenPipeError" not in err, err.decode(errors="replace")
    assert proc.returncode not in (0, 3)


def test_stop_signals_are_routed_while_inside_and_restored_after() -> None:
    received: list[int] = []
    before = signal.getsignal(signal.SIGHUP)
    with stop_signals_to(received.append):
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGTERM)
    assert received == [signal.SIGHUP, signal.SIGTERM]
    assert signal.getsignal(signal.SIGHUP) == before
