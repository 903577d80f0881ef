"""How often a run asks git, counted from git's own trace (``GIT_TRACE``): every git process
crackjack starts, scenario by scenario, so that a call added on the way cannot go unseen.

The expected lists are the whole story: a run finds the work tree with one ``rev-parse``,
learns the staged files and the unstaged changes from one ``status``, reads the index itself
for what it holds (unmerged paths, the staged pyproject.toml), and asks git again only for
what it must write (hiding unstaged changes) or cannot know otherwise.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from crackjack.hooks.catalogue import BUILTIN_HOOKS
from tests.gitrepo import commit_all, run_git, write
from tests.project import PYTHON, hook_table, make_project, run_cli

NO_GIT_HOOK = "".join(hook_table(hook.id, enabled=False) for hook in BUILTIN_HOOKS) + hook_table(
    "noop", command=[PYTHON, "-c", "pass"], phase="fast"
)
"""The project's only hook runs no git, so every traced git command is crackjack's own."""

STAGED = [f"m{number}.py" for number in range(1, 6)]

HIDING = ["diff", "add", "write-tree", "commit-tree", "update-ref", "checkout-index"]
"""Hiding unstaged changes: the patch, the pinned snapshot (a copy of the index, its tree, a
commit, a ref), then the checkout; putting them back drops the ref (``update-ref``)."""


def git_commands(trace: Path) -> list[str]:
    """Each git command run, as ``rev-parse --show-toplevel ...``, from the trace file."""
    marker = "trace: built-in: git "
    lines = trace.read_text(errors="replace").splitlines() if trace.exists() else []
    return [line.split(marker, 1)[1] for line in lines if marker in line]


def verbs(commands: list[str]) -> list[str]:
    """The git command of each traced line (``rev-parse``, ``status``...)."""
    return [command.split(" ", 1)[0] for command in commands]


def asking_for_the_work_tree(commands: list[str]) -> list[str]:
    """The ``rev-parse`` calls, less those resolving the ref a ``--changed`` run compares with."""
    resolving_a_base = re.compile(r"rev-parse --verify --quiet '(?!HEAD\^)[^']*\^\{commit\}'")
    return [c for c in commands if c.startswith("rev-parse") and not resolving_a_base.fullmatch(c)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with a commit and five staged Python files, nothing unstaged."""
    files = dict.fromkeys([*STAGED, "other.py"], "x = 1\n")
    root = make_project(tmp_path / "repo", files, config=NO_GIT_HOOK, git=True)
    commit_all(root)
    for name in STAGED:
        write(root / name, "x = 2\n")
    run_git(root, "add", *STAGED)
    return root


def traced(
    args: list[str],
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    code: int = 0,
) -> list[str]:
    trace = tmp_path / "git.trace"
    trace.unlink(missing_ok=True)
    monkeypatch.setenv("GIT_TRACE", str(trace))
    result = run_cli(args, root, monkeypatch, capsys)
    monkeypatch.delenv("GIT_TRACE")
    assert result.code == code, result
    commands = git_commands(trace)
    assert commands, "GIT_TRACE recorded nothing"
    return commands


STAGED_RUNS = [["--fast", "--staged"], ["git-hook", "pre-commit"]]


@pytest.mark.parametrize("args", STAGED_RUNS)
def test_a_commit_of_staged_files_asks_git_twice(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    commands = traced(args, project, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "status"], commands


@pytest.mark.parametrize("args", STAGED_RUNS)
def test_hiding_unstaged_edits_adds_only_what_it_writes(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    for name in STAGED[:3]:
        write(project / name, "x = 3\n")
    commands = traced(args, project, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "status", *HIDING, "update-ref"], commands
    assert all((project / name).read_text() == "x = 3\n" for name in STAGED[:3])


def test_nothing_staged_asks_git_twice(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_git(project, "reset", "-q")
    run_git(project, "checkout", "-q", "--", ".")
    commands = traced(["git-hook", "pre-commit"], project, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "status"], commands


def test_the_first_commit_asks_git_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "new", {"a.py": "a = 1\n"}, config=NO_GIT_HOOK, git=True)
    run_git(root, "add", "-A")
    commands = traced(["git-hook", "pre-commit"], root, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "status"], commands


def test_a_staged_pyproject_with_unstaged_edits_is_read_from_the_index(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The only case where git compares the file and reads the blob: the index's blob is not
    the file's bytes."""
    with (project / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("# an unstaged edit\n")
    commands = traced(["git-hook", "pre-commit"], project, tmp_path, monkeypatch, capsys)
    expected = ["rev-parse", "diff", "cat-file", "status", *HIDING, "update-ref"]
    assert verbs(commands) == expected, commands


def test_unmerged_paths_are_read_from_the_index(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_git(project, "commit", "-q", "-m", "staged")
    run_git(project, "checkout", "-q", "-b", "other", "HEAD~1")
    write(project / "m1.py", "x = 4\n")
    run_git(project, "commit", "-q", "-am", "other")
    merge = subprocess.run(
        ["git", "merge", "-q", "main"], cwd=project, capture_output=True, check=False
    )
    assert merge.returncode == 1, merge  # stopped on its conflict
    commands = traced(["--fast"], project, tmp_path, monkeypatch, capsys, code=2)
    assert verbs(commands) == ["rev-parse"], commands


@pytest.mark.parametrize("args", [["--fast"], ["--fast", "--all-files"]])
def test_a_run_of_all_files_asks_git_twice(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    commands = traced(args, project, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "ls-files"], commands


def test_a_dry_run_asks_git_twice(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = traced(["--fast", "--dry-run"], project, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "ls-files"], commands


def test_a_changed_run_asks_for_the_work_tree_once(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_git(project, "branch", "base")
    commands = traced(["--fast", "--changed-from", "base"], project, tmp_path, monkeypatch, capsys)
    assert len(asking_for_the_work_tree(commands)) == 1, commands
    assert len([c for c in commands if "HEAD" in c]) == 1, commands


def test_a_pre_push_asks_one_git_log_for_the_commits_and_their_files(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The work tree is asked for twice: once by the command line, once by the run."""
    remote_sha = run_git(project, "rev-parse", "HEAD").strip()
    run_git(project, "commit", "-q", "-m", "staged")
    local_sha = run_git(project, "rev-parse", "HEAD").strip()
    line = f"refs/heads/main {local_sha} refs/heads/main {remote_sha}\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(line))
    args = ["git-hook", "pre-push", "origin", "https://example.invalid/repo.git"]
    commands = traced(args, project, tmp_path, monkeypatch, capsys)
    assert verbs(commands) == ["rev-parse", "log", "rev-parse"], commands


def test_a_pre_push_by_hand_asks_for_the_work_tree_once(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_git(project, "commit", "-q", "-m", "staged")
    commands = traced(["git-hook", "pre-push"], project, tmp_path, monkeypatch, capsys)
    assert len(asking_for_the_work_tree(commands)) == 1, commands
    assert len([c for c in commands if "HEAD" in c]) == 1, commands
