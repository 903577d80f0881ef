"""Output a person can use (issue 11 point 6, issue 12 points 5 and 6): failed hooks' blocks cut
to whole lines with their log, logs in one pruned place, ``-q``, help, mistyped commands, escaped
names and output, 80 columns, closed standard streams."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from crackjack.cli.console import Printer
from crackjack.cli.escape import safe_lines, safe_name
from crackjack.cli.gitcommands import _say
from crackjack.core.run import logs
from tests.gitrepo import make_repo, run_git, write
from tests.project import (
    PYTHON,
    crackjack_env,
    hook_table,
    make_project,
    run_cli,
    run_process,
    tool,
    workflow_table,
)
from tests.test_live import SLOW_HOOK, run_in_pty

EXCLUDE_TOOLS = 'exclude = [".tools/"]\n'
MINE = workflow_table("mine", ["mine"])


def loud_project(root: Path, lines: int, width: int = 20) -> Path:
    """Workflow ``mine``: hook ``loud`` prints ``lines`` numbered lines and fails."""
    code = f"for i in range({lines}): print(f'line {{i}} ' + 'w' * {width})\nraise SystemExit(1)\n"
    keys = {"command": tool(root, "loud", code), "phase": "mine", "pass_filenames": False}
    return make_project(
        root, {"a.txt": "hello\n"}, config=EXCLUDE_TOOLS + MINE + hook_table("loud", **keys)
    )


def shown_lines(out: str) -> list[int]:
    return [int(found[1]) for found in re.finditer(r"^  line (\d+) w+$", out, re.MULTILINE)]


# --- a failed hook's block ------------------------------------------------------------------


def test_a_long_block_shows_its_first_and_last_lines_and_what_was_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loud_project(tmp_path, 500)
    out = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys).out
    assert shown_lines(out) == [*range(20), *range(480, 500)]
    assert "  ... 460 lines omitted; crackjack -v shows them\n" in out
    verbose = run_cli(["-w", "mine", "-v"], tmp_path, monkeypatch, capsys).out
    assert shown_lines(verbose) == list(range(500))
    assert "omitted" not in verbose


def test_huge_output_is_cut_at_whole_lines_and_names_its_log_in_the_git_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    loud_project(repo, 40_000, width=60)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    out = run_cli(["-w", "mine"], repo, monkeypatch, capsys).out
    assert shown_lines(out) == [*range(20), *range(39_980, 40_000)]
    found = re.search(r"^  \.\.\. 39960 lines omitted; full log: (\S+)$", out, re.MULTILINE)
    assert found, out
    log = Path(found[1])
    assert log.parent.parent == repo / ".git" / "crackjack" / "logs"
    assert log.read_text().count("\n") == 40_000
    assert not list(temp.iterdir()), "nothing is left in the temporary folder"
    verbose = run_cli(["-w", "mine", "-v"], repo, monkeypatch, capsys).out
    kept = shown_lines(verbose)
    assert (kept[0], kept[-1]) == (0, 39_999)
    assert "lines omitted; full log:" in verbose, "what memory did not keep is in the log"
    assert kept == sorted(kept)
    assert len(kept) < 40_000


def test_each_run_prunes_the_log_folders_of_earlier_runs(tmp_path: Path) -> None:
    home = tmp_path / "logs"
    folders = []
    for _ in range(logs.KEEP_RUNS + 2):
        folder = logs.new_run_folder(home)
        (folder / "h.0.log").write_bytes(b"x" * 10)
        folders.append(folder)
    assert sorted(home.iterdir()) == sorted(folders[-logs.KEEP_RUNS :])


def test_the_log_folders_stay_within_a_total_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "KEEP_BYTES", 100)
    home = tmp_path / "logs"
    older, old = logs.new_run_folder(home), logs.new_run_folder(home)
    (older / "h.0.log").write_bytes(b"x" * 60)
    (old / "h.0.log").write_bytes(b"x" * 60)
    newest = logs.new_run_folder(home)
    assert sorted(home.iterdir()) == sorted([old, newest])


def test_logs_outside_a_repository_go_to_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert logs.new_run_folder(None).parent == tmp_path / "cache" / "crackjack" / "logs"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert logs.user_logs() == Path.home() / ".cache" / "crackjack" / "logs"


def test_a_log_home_that_cannot_be_written_falls_back_to_the_user_cache(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert logs.new_run_folder(blocked / "logs").parent == logs.user_logs()


# --- -q -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quiet_shows_the_failed_tests_without_pytest_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(
        tmp_path,
        {"tests/test_x.py": "def test_a():\n    assert 1 == 2\n\ndef test_b():\n    pass\n"},
        config=f'[tool.crackjack.tests]\npython = "{PYTHON}"\n',
    )
    out = run_cli(
        ["--skip-hooks", "-q"], tmp_path, monkeypatch, capsys, hooks_show_tracebacks=True
    ).out
    assert "FAILED tests/test_x.py::test_a - assert 1 == 2" in out
    assert "test session starts" not in out
    assert "F." not in out
    assert out.rstrip().splitlines()[-1].startswith("skip-hooks: failed in")


# --- help and mistyped commands -------------------------------------------------------------


def test_help_lists_every_command_and_no_type_placeholders(tmp_path: Path) -> None:
    out = run_process(["--help"], tmp_path, env={"COLUMNS": "80"}).stdout
    assert "Usage: crackjack run" not in out
    commands = out.split("Commands:")[1]
    for command in ("run", "hooks", "install", "uninstall", "recover"):
        assert re.search(rf"^  {command}  ", commands, re.MULTILINE), out
    assert "--fast" in out
    for page in (["--help"], ["run", "--help"], ["install", "--help"], ["--fast", "--help"]):
        text = run_process(page, tmp_path).stdout
        assert not re.search(r"<(bool|str|int|float|list)\b", text), text
    assert run_process(["--fast", "--help"], tmp_path).stdout.startswith("Usage: crackjack run")


def test_a_mistyped_command_is_refused_with_the_command_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path)
    result = run_cli(["instal"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert result.err == "crackjack: no command or file named 'instal'; did you mean 'install'?\n"
    assert result.out == ""
    write(tmp_path / "instal", "a file of that name is a file to check\n")
    assert run_cli(["instal", "--dry-run"], tmp_path, monkeypatch, capsys).code == 0


# --- the verdict and 80 columns -------------------------------------------------------------


def test_a_run_with_no_file_to_check_says_so_in_its_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path)
    out = run_cli(["--fast"], tmp_path, monkeypatch, capsys).out
    assert re.search(r"^fast: passed in \S+ \(hooks: \d+ skipped; no files to check\)$", out, re.M)


LONG_ID = "check-a-rather-long-hook-identifier"


def test_the_summary_never_cuts_a_hook_id_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = {"command": ["crackjack-test-no-such-program"], "phase": "mine"}
    make_project(tmp_path, {"a.txt": "x\n"}, config=MINE + hook_table(LONG_ID, **keys))
    monkeypatch.setenv("COLUMNS", "80")
    out = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys).out
    table = out.split("crackjack mine\n")[1]
    assert re.search(rf"^ {LONG_ID}  +mine +missing", table, re.MULTILINE), table
    assert all(len(line) <= 80 for line in table.splitlines())


@pytest.mark.slow
def test_the_live_view_never_cuts_a_hook_id_at_80_columns(tmp_path: Path) -> None:
    keys = {"command": ["crackjack-test-no-such-program"], "phase": "mine"}
    slow = {"command": tool(tmp_path, "slow", SLOW_HOOK), "phase": "mine"}  # long enough to draw
    config = EXCLUDE_TOOLS + MINE + hook_table(LONG_ID, **keys) + hook_table("slow", **slow)
    make_project(tmp_path, {"a.txt": "x\n"}, config=config)
    _, data = run_in_pty(tmp_path, {"COLUMNS": "80", "TERM": "xterm"}, ["-w", "mine"])
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data.decode())
    assert re.search(rf"{LONG_ID} +\d+\.\d+s +\d+ files? +missing", screen), screen


# --- escaped names and output ---------------------------------------------------------------


def test_control_characters_are_escaped() -> None:
    assert safe_name("x\nfast\t\x1b[2J\x85\u202e\x7f") == "x\\nfast\\t\\x1b[2J\\x85\\u202e\\x7f"
    assert safe_lines("a\tb\r\nc\rd\x1b]0;title\x07\n") == "a\tb\nc\\rd\\x1b]0;title\\x07\n"
    assert safe_name("plain café.py") == "plain café.py"


FORGED = "x\nfast: passed in 0.00s (hooks: 9 passed).txt"


def test_a_file_name_cannot_forge_the_verdict(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / FORGED, "trailing  \n")
    write(repo / "y\x1b[31mred.txt", "trailing  \n")
    run_git(repo, "add", "-A")
    done = run_process(["--fast"], repo)
    assert done.returncode == 1, done.stdout + done.stderr
    verdicts = [line for line in done.stdout.splitlines() if line.startswith("fast: ")]
    assert len(verdicts) == 1, done.stdout
    assert verdicts[0].startswith("fast: failed in")
    assert "modified: x\\nfast: passed in 0.00s (hooks: 9 passed).txt" in done.stdout
    assert "\x1b" not in done.stdout
    assert "y\\x1b[31mred.txt" in done.stdout


# --- closed standard streams ----------------------------------------------------------------


def closed_streams_run(repo: Path, args: str, closes: str) -> subprocess.CompletedProcess[str]:
    """crackjack run by a shell with ``closes`` (``>&-``, ``2>&-``) applied; what it still says
    on the other stream is in the result."""
    command = f'"{PYTHON}" -m crackjack {args} {closes}'
    return subprocess.run(
        ["sh", "-c", command],
        cwd=repo,
        env=crackjack_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "closes"),
    [
        ("git-hook pre-commit", ">&-"),
        ("--fast", ">&- 2>&-"),
        ("--fast", "2>&-"),
    ],
)
@pytest.mark.parametrize("fails", [False, True], ids=["passing", "failing"])
def test_a_closed_standard_stream_is_as_dev_null(
    args: str, closes: str, fails: bool, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "a.txt", "trailing  \n" if fails else "clean\n")
    run_git(repo, "add", "-A")
    crashes = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("crackjack-crash-*"))
    done = closed_streams_run(repo, args, closes)
    assert done.returncode == (1 if fails else 0), done
    assert "Traceback" not in done.stdout + done.stderr
    assert "internal error" not in done.stdout + done.stderr
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("crackjack-crash-*")) == crashes
    if ">&-" in closes.split() and "2>&-" not in closes:
        assert done.stdout == ""
    if closes == "2>&-":
        assert "fast: " in done.stdout


def test_lines_no_log_file_holds_are_said_to_be_lost() -> None:
    from crackjack.cli.summary import summary
    from crackjack.core.run.results import (
        HookResult,
        HookStatus,
        OutputGap,
        PhaseResult,
        RunResult,
    )

    output = "".join(f"line {n} w\n" for n in range(4))
    hook = HookResult(
        hook="h",
        name="h",
        phase="p",
        status=HookStatus.FAILED,
        fails_run=True,
        output=output,
        gap=OutputGap(at=len("line 0 w\nline 1 w\n"), lines=1000),
    )
    phase = PhaseResult(phase="p", hooks=(hook,), duration=0.0)
    result = RunResult(workflow="w", phases=(phase,), duration=0.0)
    file = io.StringIO()
    printer = Printer(file)
    for line in summary(result, shown_lines=40, width=80):
        printer.print(line)
    out = file.getvalue()
    assert shown_lines(out) == [0, 1, 2, 3]
    assert "  ... 1000 lines omitted; no log file could be written\n" in out


def test_git_command_lines_print_file_names_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    _say(("kept x\nfast: passed in 0.00s.txt",))
    assert capsys.readouterr().out == "crackjack: kept x\\nfast: passed in 0.00s.txt\n"
