"""The live view: the pure ``render`` function, then real terminals (a pty, and tmux)."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import shlex
import shutil
import signal
import struct
import subprocess
import termios
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from rich.console import Console

from crackjack.cli.live import render
from crackjack.cli.state import RunState
from crackjack.core.run.events import (
    Event,
    HookCompleted,
    HookFailed,
    HookStarted,
    PhaseCompleted,
    PhaseFailed,
    PhaseStarted,
    TestProgress,
    WorkflowStarted,
)
from crackjack.core.run.results import HookResult, HookStatus, TestCounts, Totals
from tests.project import PYTHON, crackjack_env, hook_table, make_project, tool, workflow_table

# --- render: a pure function of the state and the time -------------------------------------


class Clock:
    """The time the state reads when an event arrives; tests move it by hand."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def event(kind: type[Event], **fields: object) -> Event:
    return kind(run_id="run-1", timestamp=1_700_000_000.0, **fields)


def result(
    hook: str, status: HookStatus, *, name: str = "", phase: str = "fast", message: str = ""
) -> HookResult:
    return HookResult(
        hook=hook,
        name=name or hook,
        phase=phase,
        status=status,
        fails_run=status is HookStatus.FAILED,
        duration=0.75,
        files=12,
        message=message,
    )


def draw(state: RunState, now: float) -> str:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False, color_system=None)
    console.print(render(state, now))
    return out.getvalue()


def row(drawing: str, label: str) -> str:
    """The one line of ``drawing`` whose second cell is ``label``."""
    lines = [line for line in drawing.splitlines() if line[3:].split("  ")[0].strip() == label]
    assert len(lines) == 1, drawing
    return lines[0].rstrip()


HOOKS = ("ruff-check", "mypy", "slow")


def started_state(clock: Clock) -> RunState:
    """``standard`` with phases fast and tests; fast has started at t=100."""
    state = RunState(clock=clock)
    state(event(WorkflowStarted, workflow="standard", phases=("fast", "tests")))
    state(event(PhaseStarted, phase="fast", hooks=HOOKS))
    return state


def test_before_anything_starts_every_phase_is_waiting() -> None:
    state = RunState(clock=Clock())
    state(event(WorkflowStarted, workflow="standard", phases=("fast", "tests")))
    drawing = draw(state, 100.0)
    assert drawing.splitlines() == [
        "   fast                     waiting   ",
        "   tests                    waiting   ",
    ]


def test_a_started_phase_shows_its_elapsed_time_and_waiting_hooks() -> None:
    state = started_state(Clock(100.0))
    drawing = draw(state, 101.5)
    assert "1.50s" in row(drawing, "fast")
    for hook in HOOKS:
        assert row(drawing, hook).startswith("·  ")
        assert row(drawing, hook).endswith("waiting")
    assert row(drawing, "tests").endswith("waiting")
    assert [line.split()[-1] for line in drawing.splitlines()][1:4] == ["waiting"] * 3
    assert [line.split()[1] for line in drawing.splitlines()][1:4] == list(HOOKS)


def test_a_running_hook_shows_its_elapsed_time_and_files() -> None:
    clock = Clock(100.0)
    state = started_state(clock)
    clock.now = 100.5
    state(event(HookStarted, phase="fast", hook="mypy", name="mypy", files=12))
    drawing = draw(state, 102.75)
    running = row(drawing, "mypy")
    assert "2.25s" in running
    assert "12 files" in running
    assert "waiting" not in running
    assert running[0] not in "·✓✗"  # a spinner frame
    assert "2.75s" in row(drawing, "fast")
    assert row(drawing, "ruff-check").endswith("waiting")


def test_a_running_test_hook_shows_a_bar_and_the_tally() -> None:
    clock = Clock(100.0)
    state = started_state(clock)
    state(event(HookStarted, phase="fast", hook="slow", name="slow", files=3))
    counts = TestCounts(collected=40, passed=18, failed=1, skipped=1)
    state(event(TestProgress, phase="fast", hook="slow", counts=counts, current="t::x"))
    running = row(draw(state, 101.0), "slow")
    assert "20/40 tests: 1 failed, 18 passed, 1 skipped" in running
    assert "━" in running
    assert "tests:" not in row(draw(state, 101.0), "mypy")


def test_on_a_narrow_terminal_the_tally_gives_way_not_the_hook_names() -> None:
    state = started_state(Clock(100.0))
    state(event(HookStarted, phase="fast", hook="slow", name="slow", files=3))
    counts = TestCounts(collected=985, passed=415, skipped=1, xfailed=2)
    state(event(TestProgress, phase="fast", hook="slow", counts=counts, current="t::x"))
    out = io.StringIO()
    Console(file=out, width=60, color_system=None).print(render(state, 101.0))
    lines = out.getvalue().splitlines()
    slow = next(line for line in lines if " slow " in line)
    assert "1.00s" in slow
    assert "━" in slow
    assert all(len(line) <= 60 for line in lines)


def test_one_file_is_singular() -> None:
    clock = Clock(100.0)
    state = started_state(clock)
    state(event(HookStarted, phase="fast", hook="mypy", name="mypy", files=1))
    assert "1 file " in row(draw(state, 101.0), "mypy") + " "
    assert "1 files" not in draw(state, 101.0)


@pytest.mark.parametrize(
    ("status", "symbol", "message"),
    [
        (HookStatus.PASSED, "✓", ""),
        (HookStatus.FAILED, "✗", "exit code 1"),
        (HookStatus.FIXED, "✎", "modified 2 files"),
        (HookStatus.SKIPPED, "-", "skipped by --skip"),
        (HookStatus.TIMED_OUT, "⏱", "timed out after 5 s"),
        (HookStatus.MISSING, "?", "mypy not found: install it (`pip install mypy`)"),
        (HookStatus.ERROR, "!", "OSError: boom"),
        (HookStatus.INTERRUPTED, "✗", "interrupted"),
    ],
)
def test_a_finished_hook_shows_symbol_duration_files_status_and_message(
    status: HookStatus, symbol: str, message: str
) -> None:
    clock = Clock(100.0)
    state = started_state(clock)
    state(event(HookStarted, phase="fast", hook="mypy", name="mypy", files=12))
    finished = HookFailed if status is HookStatus.FAILED else HookCompleted
    state(event(finished, result=result("mypy", status, message=message)))
    line = row(draw(state, 105.0), "mypy")
    assert line.startswith(f"{symbol}  mypy ")
    assert re.search(rf" 0\.75s 12 files {re.escape(str(status))}\b", line), line
    assert line.endswith(f"{status}  {message}" if message else str(status))


def test_a_finished_hook_shows_its_title() -> None:
    state = started_state(Clock())
    state(event(HookStarted, phase="fast", hook="mypy", name="Type check", files=3))
    state(event(HookCompleted, result=result("mypy", HookStatus.PASSED, name="Type check")))
    assert "passed" in row(draw(state, 101.0), "Type check")


def test_phase_durations_once_phases_end() -> None:
    clock = Clock(100.0)
    state = started_state(clock)
    for hook in HOOKS:
        state(event(HookStarted, phase="fast", hook=hook, name=hook, files=4))
        status = HookStatus.FAILED if hook == "mypy" else HookStatus.PASSED
        kind = HookFailed if status is HookStatus.FAILED else HookCompleted
        state(event(kind, result=result(hook, status)))
    state(event(PhaseFailed, phase="fast", hooks=HOOKS, duration=2.25, totals=Totals()))
    clock.now = 103.0
    state(event(PhaseStarted, phase="tests", hooks=("pytest",)))
    drawing = draw(state, 104.0)
    assert row(drawing, "fast").endswith("2.25s")
    assert "1.00s" in row(drawing, "tests")
    assert row(drawing, "pytest").endswith("waiting")
    # a finished phase keeps its duration whatever the time
    assert row(draw(state, 500.0), "fast").endswith("2.25s")

    state(event(HookStarted, phase="tests", hook="pytest", name="pytest", files=0))
    state(event(HookCompleted, result=result("pytest", HookStatus.PASSED, phase="tests")))
    state(event(PhaseCompleted, phase="tests", hooks=("pytest",), duration=61.5, totals=Totals()))
    drawing = draw(state, 600.0)
    assert row(drawing, "tests").endswith("1m01.5s")
    lines = drawing.splitlines()
    assert [line[3:].split()[0] for line in lines] == ["fast", *HOOKS, "tests", "pytest"]


def test_render_is_a_pure_function_of_state_and_time() -> None:
    clock = Clock(100.0)
    state = started_state(clock)
    state(event(HookCompleted, result=result("slow", HookStatus.PASSED)))
    before = repr(state)
    assert draw(state, 101.0) == draw(state, 101.0)
    assert draw(state, 101.0) != draw(state, 102.0)
    assert repr(state) == before


# --- real terminals -----------------------------------------------------------------------

SLOW_HOOK = "import time; time.sleep(0.5)\n"
HOOK_IDS = ("check-merge-conflict", "ruff-check", "ruff-format", "slow-hook")

CURSOR = re.compile(rb"\x1b\[\d*[ABCDGHJK]|\x1b\[\?25[lh]|\x1b\[\d+;\d+[Hf]")
SGR = re.compile(rb"\x1b\[([0-9;]*)m")
COLOURS = {str(n) for n in (*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108))}


def coloured(data: bytes) -> bool:
    return any(COLOURS & set(m[1].decode().split(";")) for m in SGR.finditer(data))


def small_project(root: Path) -> Path:
    """A Python file, the built-in fast hooks, and one hook that takes half a second."""
    root.mkdir(exist_ok=True)
    hook = hook_table(
        "slow-hook", command=tool(root, "slow", SLOW_HOOK), phase="fast", pass_filenames=False
    )
    files = {"app.py": 'def greet(name: str) -> str:\n    return f"hi {name}"\n'}
    return make_project(root, files, config='exclude = [".tools/"]\n' + hook)


def run_in_pty(
    cwd: Path,
    env: Mapping[str, str],
    args: Sequence[str] = ("--fast",),
    *,
    interrupt_when: Path | None = None,
    once_live: bool = False,
    timeout: float = 30,
) -> tuple[int, bytes]:
    """Run crackjack with a pty as its terminal: its exit code and everything it drew.

    With ``interrupt_when``, send it SIGINT (as Ctrl-C would) once that file exists (and, with
    ``once_live``, once the live view has started: it hides the cursor).
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    try:
        proc = subprocess.Popen(
            [PYTHON, "-m", "crackjack", *args],
            cwd=cwd,
            env=crackjack_env({"COLUMNS": "100", **env}),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            assert left > 0, b"".join(chunks)[-2000:]
            drawn = not once_live or b"\x1b[?25l" in b"".join(chunks)
            if interrupt_when is not None and interrupt_when.exists() and drawn:
                proc.send_signal(signal.SIGINT)
                interrupt_when = None
            ready, _, _ = select.select([master], [], [], min(left, 0.02))
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the last writer has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        return proc.wait(timeout=timeout), b"".join(chunks)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_a_terminal_gets_the_live_view(tmp_path: Path) -> None:
    code, data = run_in_pty(small_project(tmp_path), {"TERM": "xterm-256color"})
    assert code == 0, data.decode(errors="replace")
    assert b"\x1b[?25l" in data, "the cursor is hidden while drawing"
    assert data.count(b"\x1b[1A") > 10, "the view is redrawn in place"
    assert b"\x1b[2K" in data
    assert data.rstrip().endswith(b"\x1b[0m"), "the verdict is the last thing drawn"
    assert data.rindex(b"\x1b[?25h") < data.index(b"crackjack fast"), "cursor back before summary"
    assert coloured(data)
    text = data.decode()
    for hook in HOOK_IDS:
        assert hook in text
    assert "fast: passed in" in text.splitlines()[-1]
    assert "Traceback" not in text


@pytest.mark.slow
def test_a_dumb_terminal_gets_plain_lines(tmp_path: Path) -> None:
    code, data = run_in_pty(small_project(tmp_path), {"TERM": "dumb"})
    assert code == 0, data.decode(errors="replace")
    assert not CURSOR.search(data), CURSOR.search(data)
    lines = data.decode().splitlines()
    assert lines[0] == "== fast (10 hooks)"
    assert any(line.startswith("== fast passed in ") for line in lines)
    assert any(re.match(r"slow-hook \.+ passed ", line) for line in lines)
    assert lines[-1].startswith("fast: passed in ")


@pytest.mark.slow
def test_no_color_removes_colour_but_keeps_the_live_view(tmp_path: Path) -> None:
    code, data = run_in_pty(small_project(tmp_path), {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert code == 0, data.decode(errors="replace")
    assert not coloured(data), [m[0] for m in SGR.finditer(data) if coloured(m[0])][:5]
    assert b"\x1b[38;5;" not in data
    assert b"\x1b[1A" in data, "still live"
    assert "fast: passed in" in data.decode()


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_stops_the_live_view_and_shows_the_cursor_again(
    tmp_path: Path,
) -> None:
    started = tmp_path / "started"
    script = f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(60)\n"
    hook = hook_table("hang", command=tool(tmp_path, "hang", script), phase="mine")
    config = 'exclude = [".tools/"]\n' + workflow_table("mine", ["mine"]) + hook
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    start = time.monotonic()
    code, data = run_in_pty(
        tmp_path, {"TERM": "xterm-256color"}, ["-w", "mine"], interrupt_when=started, once_live=True
    )
    assert time.monotonic() - start < 20
    assert code == 130, data.decode(errors="replace")
    assert data.rindex(b"\x1b[?25h") > data.rindex(b"\x1b[?25l"), "the cursor is visible again"
    text = data.decode()
    assert "mine: interrupted by SIGINT" in text.splitlines()[-1]
    assert "Traceback" not in text


@pytest.mark.slow
def test_force_color_colours_a_pipe_but_never_animates_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [PYTHON, "-m", "crackjack", "--fast"],
        cwd=small_project(tmp_path),
        env=crackjack_env({"FORCE_COLOR": "1", "TERM": "xterm-256color"}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done
    assert coloured(done.stdout)
    assert not CURSOR.search(done.stdout), CURSOR.search(done.stdout)
    assert b"\r" not in done.stdout
    plain = re.sub(rb"\x1b\[[0-9;]*m", b"", done.stdout).decode()
    assert plain.startswith("== fast (10 hooks)\n")
    assert re.search(r"^slow-hook \.+ passed ", plain, re.MULTILINE)


# --- what a person sees -------------------------------------------------------------------

SPINNER = re.compile("[\u2800-\u28ff]")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_screen_at_the_end_of_a_run_in_tmux(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    tmux = ["tmux", "-L", f"crackjack-test-{uuid.uuid4().hex[:12]}", "-f", os.devnull]
    env = {k: v for k, v in crackjack_env().items() if k not in ("COLUMNS", "LINES", "TMUX")}
    env["SHELL"] = "/bin/sh"
    command = f"{shlex.quote(PYTHON)} -m crackjack --fast; echo crackjack-exit=$?; sleep 60"
    size = ["-x", "100", "-y", "30"]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "t", *size, "-c", str(project), command],
        env=env,
        check=True,
        timeout=30,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "t"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout
            if "crackjack-exit=" in screen:
                break
            assert time.monotonic() < deadline, screen
            time.sleep(0.1)
        cursor = subprocess.run(
            [*tmux, "display-message", "-p", "-t", "t", "#{cursor_flag}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    finally:
        subprocess.run([*tmux, "kill-server"], env=env, check=False, timeout=30)
    lines = [line.rstrip() for line in screen.splitlines()]
    assert "crackjack-exit=0" in lines, screen
    assert not SPINNER.search(screen), screen
    assert cursor == "1", "the cursor is visible again"
    # the last frame of the live view: every hook finished, each drawn once
    assert re.search(r"^✓\s+slow-hook\s+\d+\.\d\ds\s+.*passed$", screen, re.MULTILINE), screen
    # the summary table, then the verdict
    title = lines.index("crackjack fast")
    assert lines[title + 1].split() == ["hook", "phase", "status", "duration", "files", "note"]
    table = lines[title + 2 : title + 12]
    assert [line.split()[0] for line in table][-1] == "slow-hook"
    for hook in HOOK_IDS:
        assert sum(line.split()[:1] == [hook] for line in table) == 1, screen
        assert screen.count(hook) == 2, screen
    assert lines[title + 12].startswith("fast: passed in ")
    assert lines[title + 13] == "crackjack-exit=0"
