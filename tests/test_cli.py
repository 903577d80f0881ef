"""The command line end to end, in process: flags, settings, output and exit codes."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from crackjack import __version__
from crackjack.cli import runner
from crackjack.cli.errors import guarded
from crackjack.core.errors import ConfigError, CrackjackError, RepositoryStateError
from tests.project import (
    hook_table,
    make_project,
    run_cli,
    run_process,
    tool,
    workflow_table,
)

# The fake tools live in .tools/ inside the project: keep them out of every hook's files.
EXCLUDE_TOOLS = 'exclude = [".tools/"]\n'
MINE = workflow_table("mine", ["mine"])

PASS = "import sys; sys.exit(0)\n"
FAIL = "print('boom: something is wrong'); raise SystemExit(1)\n"
TOUCH = """
import pathlib, sys
pathlib.Path(sys.argv[1]).write_text("ran\\n")
"""
APPEND = """
import sys
for name in sys.argv[1:]:
    with open(name, "a", encoding="utf-8") as f:
        f.write("# fixed\\n")
"""
SLEEP = "import time; time.sleep(30)\n"


@pytest.fixture(autouse=True)
def private_tempdir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Log folders and crash logs go to a folder of the test's own."""
    folder = tmp_path_factory.mktemp("tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def hook_line(out: str, hook_id: str) -> str:
    """The one plain-mode line of ``hook_id`` (``id ..... status``)."""
    lines = [
        line for line in out.splitlines() if re.match(rf"{re.escape(hook_id)} \.{{3,}} ", line)
    ]
    assert len(lines) == 1, out
    return lines[0]


def one_hook_project(root: Path, code: str, **keys: object) -> Path:
    """A project whose workflow ``mine`` runs one hook ``h`` (a fake tool running ``code``)."""
    keys = {"command": tool(root, "h", code), "phase": "mine", **keys}
    return make_project(
        root, {"a.txt": "hello\n"}, config=EXCLUDE_TOOLS + MINE + hook_table("h", **keys)
    )


# --- version and help ---------------------------------------------------------------------


def test_version_prints_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["--version"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert result.out.strip() == f"crackjack {__version__}"


@pytest.mark.parametrize("args", [["--version"], ["--fast", "--version"], ["run", "--version"]])
def test_version_is_the_same_line_alone_and_among_other_flags(
    args: list[str], tmp_path: Path
) -> None:
    # Alone, the console script answers before Typer runs; with other flags, Typer's option.
    done = run_process(args, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"crackjack {__version__}\n", "")


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["hooks", "--help"]])
def test_help_exits_0(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(args, tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert "Usage" in result.out


def test_help_names_the_main_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_cli(["--help"], tmp_path, monkeypatch, capsys).out
    for flag in ("--fast", "--skip-hooks", "--workflow", "--hook", "--skip", "--dry-run", "--jobs"):
        assert flag in out


# --- exit codes of runs -------------------------------------------------------------------


def test_exit_0_when_every_hook_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one_hook_project(tmp_path, PASS)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert "passed" in hook_line(result.out, "h")
    assert "mine: passed in" in result.out


def test_exit_1_when_a_hook_fails_and_its_output_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one_hook_project(tmp_path, FAIL)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    assert "failed" in hook_line(result.out, "h")
    assert "exit code 1" in hook_line(result.out, "h")
    assert "boom: something is wrong" in result.out
    assert "mine: failed in" in result.out


def test_exit_1_when_a_fixer_modifies_a_file_and_the_summary_names_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one_hook_project(tmp_path, APPEND, files=["*.txt"], fixer=True)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    assert (tmp_path / "a.txt").read_text() == "hello\n# fixed\n"
    assert "fixed" in hook_line(result.out, "h")
    assert "h modified: a.txt" in result.out
    assert "files were modified" in result.out


def test_exit_1_when_a_hook_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one_hook_project(tmp_path, SLEEP, timeout=0.5, pass_filenames=False)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    assert "timed out after 0.5 s" in hook_line(result.out, "h")


def missing_tool_project(root: Path, config: str = "") -> Path:
    hook = hook_table(
        "gone",
        command=["crackjack-test-no-such-tool", "--check"],
        phase="mine",
        install="pip install crackjack-test-no-such-tool",
    )
    return make_project(root, {"a.txt": "hello\n"}, config=config + MINE + hook)


def test_exit_1_when_a_program_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_tool_project(tmp_path)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    line = hook_line(result.out, "gone")
    assert "missing" in line
    assert "pip install crackjack-test-no-such-tool" in line
    assert "mine: failed in" in result.out


def test_exit_0_for_a_missing_program_with_missing_tools_warn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_tool_project(tmp_path, 'missing-tools = "warn"\n')
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    summary = result.out[result.out.index("crackjack mine") :]
    assert "missing" in summary
    assert "pip install" in summary
    assert "crackjack-test-no-such-tool" in summary
    assert "mine: passed in" in summary
    assert "1 missing" in summary


# --- exit 2: usage and configuration errors -----------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param("jobs = \n", r"pyproject\.toml:2:8: invalid TOML", id="toml-syntax"),
        pytest.param("bogus = 1\n", r"tool\.crackjack\.bogus: unknown key", id="unknown-key"),
        pytest.param(
            "[tool.crackjack.hooks.ruff-check]\nbogus = 1\n",
            r"tool\.crackjack\.hooks\.ruff-check\.bogus: unknown key",
            id="unknown-hook-key",
        ),
        pytest.param(
            'jobs = "many"\n', r"tool\.crackjack\.jobs: expected a whole number", id="wrong-type"
        ),
        pytest.param(
            '[tool.crackjack.hooks.ruff-check]\ntimeout = "slow"\n',
            r"tool\.crackjack\.hooks\.ruff-check\.timeout: expected a number",
            id="wrong-nested-type",
        ),
    ],
)
def test_exit_2_for_a_bad_configuration(
    config: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_project(tmp_path, {"a.py": "x = 1\n"}, config=config)
    result = run_cli(["--fast"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert re.search(expected, result.err), result.err
    assert str(tmp_path / "pyproject.toml") in result.err
    assert result.err.startswith("crackjack: ")


def test_a_toml_error_at_the_end_of_the_file_also_has_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(tmp_path, config="fail-fast = true\njobs = [1,\n")
    result = run_cli(["--fast"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert re.search(rf"{re.escape(str(tmp_path / 'pyproject.toml'))}:\d+:\d+: ", result.err)


def test_a_bad_environment_variable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(tmp_path)
    monkeypatch.setenv("CRACKJACK_JOBS", "lots")
    result = run_cli(["--fast", "--dry-run"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert "CRACKJACK_JOBS: expected a whole number" in result.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fast", "--skip-hooks"], "choose one of --fast, --skip-hooks and --workflow"),
        (["--fast", "--workflow", "mine"], "choose one of --fast, --skip-hooks and --workflow"),
        (["--quiet", "--verbose"], "choose one of --quiet and --verbose"),
        (["--hook", "no-such-hook"], "unknown hook 'no-such-hook'"),
        (["--skip", "no-such-hook"], "unknown hook 'no-such-hook'"),
        (["--workflow", "no-such-workflow"], "unknown workflow 'no-such-workflow'"),
        (["--jobs", "0"], "--jobs"),
        (["--no-such-flag"], "No such option: --no-such-flag"),
    ],
)
def test_exit_2_for_a_usage_error(
    args: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    one_hook_project(tmp_path, TOUCH)
    result = run_cli(args, tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert expected in result.err
    assert result.err.startswith("crackjack: ")
    assert "== " not in result.out, "nothing runs after a usage error"


def test_an_unknown_hook_in_crackjack_skip_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one_hook_project(tmp_path, PASS)
    monkeypatch.setenv("CRACKJACK_SKIP", "h,no-such-hook")
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert "unknown hook 'no-such-hook'" in result.err


# --- exit 3: internal errors --------------------------------------------------------------


def test_guarded_turns_a_crash_into_exit_3_and_one_line_naming_the_log(
    private_tempdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash() -> int:
        raise RuntimeError("kaboom")

    code = guarded(crash)
    captured = capsys.readouterr()
    assert code == 3
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert "RuntimeError('kaboom')" in lines[0]
    found = re.search(r"details in (\S+\.log)", lines[0])
    assert found, lines[0]
    log = Path(found[1])
    assert log.parent == private_tempdir
    assert "Traceback" in log.read_text()
    assert "RuntimeError: kaboom" in log.read_text()


def test_a_crash_inside_a_command_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(request: runner.RunRequest) -> int:
        raise RuntimeError("kaboom")

    one_hook_project(tmp_path, PASS)
    monkeypatch.setattr(runner, "run", crash)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 3
    assert len(result.err.splitlines()) == 1
    assert "internal error" in result.err
    assert "crackjack-crash-" in result.err


# --- crackjack hooks ----------------------------------------------------------------------


def test_hooks_lists_builtin_and_project_hooks_phases_and_workflows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        hook_table("spell", command=tool(tmp_path, "spell", PASS), phase="docs")
        + hook_table("gone", command=["crackjack-test-no-such-tool"], phase="fast")
        + hook_table("mypy", enabled=False)
        + workflow_table("pre-push", ["fast", "docs"])
    )
    make_project(tmp_path, config=config)
    result = run_cli(["hooks"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    rows = {line.split()[1]: line for line in result.out.splitlines() if line.startswith("│")}
    for builtin in ("ruff-check", "ruff-format", "trailing-whitespace", "mypy", "bandit", "pytest"):
        assert builtin in rows, result.out
    assert "comprehensive" in rows["mypy"]
    assert " no " in rows["mypy"]
    assert "tests" in rows["pytest"]
    assert "in-process" in rows["trailing-whitespace"]
    assert "fixer" in rows["ruff-format"]
    assert "docs" in rows["spell"]
    assert "missing: crackjack-test-no-such-tool" in rows["gone"]
    for workflow, phases in (
        ("fast", "fast"),
        ("standard", "fast → comprehensive → tests"),
        ("skip-hooks", "tests"),
        ("pre-push", "fast → docs"),
    ):
        assert phases in rows[workflow]


# --- selecting what runs ------------------------------------------------------------------


def two_hook_project(root: Path, **extra: object) -> Path:
    """Workflow ``mine`` with hooks ``a`` and ``b``; each writes ``ran-ID`` when it runs."""
    config = EXCLUDE_TOOLS + MINE
    for hook_id in ("a", "b"):
        command = [*tool(root, "touch", TOUCH), str(root / f"ran-{hook_id}")]
        config += hook_table(hook_id, command=command, phase="mine", pass_filenames=False, **extra)
    return make_project(root, {"a.txt": "hello\n"}, config=config)


def test_dry_run_prints_the_plan_and_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_hook_project(tmp_path)
    result = run_cli(["-w", "mine", "--dry-run"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert "plan: workflow mine" in result.out
    assert "touch.py" in result.out
    assert not (tmp_path / "ran-a").exists()
    assert not (tmp_path / "ran-b").exists()


def test_skip_flag_skips_a_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_hook_project(tmp_path)
    result = run_cli(["-w", "mine", "--skip", "a"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert "skipped" in hook_line(result.out, "a")
    assert "skipped by --skip" in hook_line(result.out, "a")
    assert "passed" in hook_line(result.out, "b")
    assert not (tmp_path / "ran-a").exists()
    assert (tmp_path / "ran-b").exists()


def test_crackjack_skip_variable_skips_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_hook_project(tmp_path)
    monkeypatch.setenv("CRACKJACK_SKIP", "a,b")
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    for hook_id in ("a", "b"):
        assert "skipped" in hook_line(result.out, hook_id)
        assert "CRACKJACK_SKIP" in hook_line(result.out, hook_id)
        assert not (tmp_path / f"ran-{hook_id}").exists()


def test_hook_flag_runs_only_that_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_hook_project(tmp_path)
    result = run_cli(["-w", "mine", "--hook", "b"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert "passed" in hook_line(result.out, "b")
    assert not re.search(r"^a \.", result.out, re.MULTILINE)
    assert not (tmp_path / "ran-a").exists()
    assert (tmp_path / "ran-b").exists()


def test_workflow_flag_runs_a_project_workflow_phase_by_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        EXCLUDE_TOOLS
        + workflow_table("two-step", ["first", "second"])
        + workflow_table("other", ["third"])
        + hook_table("one", command=tool(tmp_path, "pass", PASS), phase="first")
        + hook_table("two", command=tool(tmp_path, "pass", PASS), phase="second")
        + hook_table("elsewhere", command=tool(tmp_path, "fail", FAIL), phase="third")
    )
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["--workflow", "two-step"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    out = result.out
    assert out.index("== first (1 hook") < out.index("== first passed") < out.index("== second (")
    assert out.index("== second (") < out.index(hook_line(out, "two"))
    assert "elsewhere" not in out
    assert "two-step: passed in" in out


def test_fail_fast_reports_later_hooks_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        EXCLUDE_TOOLS
        + MINE
        + hook_table("first", command=tool(tmp_path, "fail", FAIL), phase="mine")
        + hook_table("second", command=tool(tmp_path, "pass", PASS), phase="mine")
    )
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["-w", "mine", "--jobs", "1", "--fail-fast"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    assert "failed" in hook_line(result.out, "first")
    second = hook_line(result.out, "second")
    assert "skipped" in second
    assert "fail-fast" in second

    result = run_cli(["-w", "mine", "--jobs", "1", "--no-fail-fast"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    assert "passed" in hook_line(result.out, "second")


def test_fail_fast_from_the_project_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "fail-fast = true\njobs = 1\n"
        + EXCLUDE_TOOLS
        + MINE
        + hook_table("first", command=tool(tmp_path, "fail", FAIL), phase="mine")
        + hook_table("second", command=tool(tmp_path, "pass", PASS), phase="mine")
    )
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert "skipped" in hook_line(result.out, "second")
    result = run_cli(["-w", "mine", "--no-fail-fast"], tmp_path, monkeypatch, capsys)
    assert "passed" in hook_line(result.out, "second")


# Each hook appends "start ID" and "end ID" to a shared log around a short sleep.
INTERVAL = """
import os, sys, time
def note(text):
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (text + "\\n").encode())
    os.close(fd)
note("start " + sys.argv[2])
time.sleep(0.2)
note("end " + sys.argv[2])
"""

# Each hook announces itself and waits (bounded) for the other: both pass only side by side.
RENDEZVOUS = """
import pathlib, sys, time
me, other = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
me.write_text("here\\n")
deadline = time.monotonic() + 10
while not other.exists():
    if time.monotonic() > deadline:
        print("the other hook never ran beside me")
        raise SystemExit(1)
    time.sleep(0.01)
"""


def test_jobs_1_runs_hooks_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "intervals.log"
    config = EXCLUDE_TOOLS + MINE
    for hook_id in ("a", "b", "c"):
        command = [*tool(tmp_path, "interval", INTERVAL), str(log), hook_id]
        config += hook_table(hook_id, command=command, phase="mine", pass_filenames=False)
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["-w", "mine", "--jobs", "1"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    events = log.read_text().split("\n")[:-1]
    assert len(events) == 6
    for start, end in zip(events[::2], events[1::2], strict=True):
        assert start.startswith("start ")
        assert end == "end " + start.removeprefix("start ")


def test_jobs_2_runs_hooks_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = EXCLUDE_TOOLS + MINE
    for me, other in (("a", "b"), ("b", "a")):
        command = [*tool(tmp_path, "meet", RENDEZVOUS), str(tmp_path / me), str(tmp_path / other)]
        config += hook_table(me, command=command, phase="mine", pass_filenames=False)
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["-w", "mine", "--jobs", "2"], tmp_path, monkeypatch, capsys)
    assert result.code == 0, result.out


# --- plain output -------------------------------------------------------------------------

# ``a`` waits for ``b`` to have run, then keeps going for a second: ``b`` always ends first.
SLOW_AFTER_OTHER = """
import pathlib, sys, time
deadline = time.monotonic() + 10
while not pathlib.Path(sys.argv[1]).exists():
    if time.monotonic() > deadline:
        raise SystemExit(1)
    time.sleep(0.01)
time.sleep(1)
"""


def test_plain_output_keeps_declaration_order_when_a_later_hook_ends_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran-b"
    config = (
        EXCLUDE_TOOLS
        + MINE
        + hook_table(
            "a",
            command=[*tool(tmp_path, "slow", SLOW_AFTER_OTHER), str(marker)],
            phase="mine",
            pass_filenames=False,
        )
        + hook_table(
            "b",
            command=[*tool(tmp_path, "touch", TOUCH), str(marker)],
            phase="mine",
            pass_filenames=False,
        )
    )
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["-w", "mine", "--jobs", "2"], tmp_path, monkeypatch, capsys)
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    a, b = lines.index(hook_line(result.out, "a")), lines.index(hook_line(result.out, "b"))
    assert lines[0] == "== mine (2 hooks)"
    assert (a, b) == (1, 2)
    assert lines[3].startswith("== mine passed in ")
    assert "\x1b[" not in result.out
    assert "\r" not in result.out


# --- settings precedence through the real command line -------------------------------------


def test_jobs_precedence_pyproject_then_environment_then_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(tmp_path, {"a.py": "x = 1\n"}, config="jobs = 3\n")

    def title(*args: str) -> str:
        result = run_cli(["--fast", "--dry-run", *args], tmp_path, monkeypatch, capsys)
        assert result.code == 0, result.err
        return result.out.splitlines()[0].strip()

    assert title() == "plan: workflow fast, 3 jobs"
    monkeypatch.setenv("CRACKJACK_JOBS", "5")
    assert title() == "plan: workflow fast, 5 jobs"
    assert title("--jobs", "7") == "plan: workflow fast, 7 jobs"
    assert title("-j", "2") == "plan: workflow fast, 2 jobs"


# --- a project with no configuration ------------------------------------------------------


def test_a_plain_directory_runs_the_builtin_fast_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "plain"
    project.mkdir()
    (project / "hello.py").write_text('def greet(name: str) -> str:\n    return f"hi {name}"\n')
    above = [p for p in project.parents if (p / "pyproject.toml").exists() or (p / ".git").exists()]
    assert not above, f"the test needs no pyproject.toml or .git above {project}"
    result = run_cli(["--fast"], project, monkeypatch, capsys)
    assert result.code == 0, result.out
    assert result.out.startswith("== fast (")
    for hook_id in ("ruff-check", "ruff-format", "debug-statements", "trailing-whitespace"):
        line = hook_line(result.out, hook_id)
        assert "passed" in line
        assert "(1 file)" in line
    assert "skipped" in hook_line(result.out, "check-toml")
    assert "fast: passed in" in result.out
    assert "mypy" not in result.out


# --- quiet and verbose --------------------------------------------------------------------

HELLO = "print('hello from the hook')\n"


def test_quiet_shows_only_failures_and_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        EXCLUDE_TOOLS
        + MINE
        + hook_table("good", command=tool(tmp_path, "hello", HELLO), phase="mine")
        + hook_table("bad", command=tool(tmp_path, "fail", FAIL), phase="mine")
    )
    make_project(tmp_path, {"a.txt": "hello\n"}, config=config)
    result = run_cli(["-w", "mine", "--quiet"], tmp_path, monkeypatch, capsys)
    assert result.code == 1
    assert "== mine" not in result.out
    assert "good" not in result.out
    assert "hello from the hook" not in result.out
    assert "bad: failed" in result.out
    assert "boom: something is wrong" in result.out
    assert result.out.splitlines()[-1].startswith("mine: failed in ")


def test_verbose_shows_the_output_of_passing_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one_hook_project(tmp_path, HELLO)
    assert "hello from the hook" not in run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys).out
    result = run_cli(["-w", "mine", "--verbose"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert "hello from the hook" in result.out


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigError("bad setting"), 2),
        (RepositoryStateError("unmerged paths"), 2),
        (CrackjackError("cannot recover"), 3),
        (KeyboardInterrupt(), 130),
    ],
)
def test_guarded_maps_failures_to_exit_codes(
    error: BaseException, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail() -> int:
        raise error

    assert guarded(fail) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if str(error):
        assert err == f"crackjack: {error}\n"
