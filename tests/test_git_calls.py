"""How often a run asks git, counted from git's own trace (``GIT_TRACE``): the work tree is
found with one ``rev-parse``, unmerged paths are listed once and ``HEAD`` is resolved once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crackjack.hooks.catalogue import BUILTIN_HOOKS
from tests.gitrepo import commit_all, run_git, write
from tests.project import PYTHON, hook_table, make_project, run_cli

NO_GIT_HOOK = "".join(hook_table(hook.id, enabled=False) for hook in BUILTIN_HOOKS) + hook_table(
    "noop", command=[PYTHON, "-c", "pass"], phase="fast"
)
"""The project's only hook runs no git, so every traced git command is crackjack's own."""


def git_commands(trace: Path) -> list[str]:
    """Each git command run, as ``rev-parse --show-toplevel ...``, from the trace file."""
    marker = "trace: built-in: git "
    lines = trace.read_text(errors="replace").splitlines() if trace.exists() else []
    return [line.split(marker, 1)[1] for line in lines if marker in line]


def asking_for_the_work_tree(commands: list[str]) -> list[str]:
    """The ``rev-parse`` calls, less those resolving the ref a ``--changed`` run compares with."""
    resolving_a_base = re.compile(r"rev-parse --verify --quiet '(?!HEAD\^)[^']*\^\{commit\}'")
    return [c for c in commands if c.startswith("rev-parse") and not resolving_a_base.fullmatch(c)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with a commit and a partially staged file."""
    root = make_project(tmp_path / "repo", {"a.py": "x = 1\n"}, config=NO_GIT_HOOK, git=True)
    commit_all(root)
    write(root / "a.py", "x = 2\n")
    run_git(root, "add", "a.py")
    write(root / "a.py", "x = 3\n")
    return root


def traced(
    args: list[str],
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> list[str]:
    trace = tmp_path / "git.trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    result = run_cli(args, root, monkeypatch, capsys)
    monkeypatch.delenv("GIT_TRACE")
    assert result.code == 0, result
    commands = git_commands(trace)
    assert commands, "GIT_TRACE recorded nothing"
    return commands


@pytest.mark.parametrize("args", [["--fast"], ["--fast", "--dry-run"], ["--fast", "--all-files"]])
def test_a_fast_run_makes_at_most_one_rev_parse(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    commands = traced(args, project, tmp_path, monkeypatch, capsys)
    assert len([c for c in commands if c.startswith("rev-parse")]) <= 1, commands


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


@pytest.mark.parametrize("args", [["--fast", "--staged"], ["git-hook", "pre-commit"]])
def test_a_staged_run_lists_unmerged_paths_once_and_resolves_head_once(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    commands = traced(args, project, tmp_path, monkeypatch, capsys)
    assert len([c for c in commands if c.startswith("rev-parse")]) == 1, commands
    assert len([c for c in commands if c.startswith("ls-files -z --unmerged")]) == 1, commands
    assert len([c for c in commands if "HEAD" in c]) == 1, commands
    assert any(c.startswith("checkout-index") for c in commands), "nothing was hidden"
    assert (project / "a.py").read_text() == "x = 3\n"


def test_a_pre_push_run_asks_for_the_work_tree_once(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_git(project, "commit", "-q", "-m", "staged")
    commands = traced(["git-hook", "pre-push"], project, tmp_path, monkeypatch, capsys)
    assert len(asking_for_the_work_tree(commands)) == 1, commands
    assert len([c for c in commands if "HEAD" in c]) == 1, commands
