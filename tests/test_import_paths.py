"""What the fast paths import, by name, so the start-up they save cannot rot (DESIGN.md 11).

Each test runs crackjack as a real process with ``python -X importtime`` (the installed hook's
``-P -m crackjack``) in a real git repository with staged files, and reads the names of the
modules it imported from its stderr. ``--version`` imports none of the stack; the git hook and
a run whose command line is in the argv cache import no Typer, Rich or pydantic.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import run_git
from tests.imports import imported as imported_modules
from tests.project import make_project

STACK = ("typer", "rich", "pydantic", "pydantic_settings", "anyio", "asyncio")
NOT_AT_COMMIT = ("rich", "pydantic", "pydantic_settings")
STAGED = {"a.py": "x = 1\n", "b.txt": "hello\n", "c.py": "def f() -> int:\n    return 1\n"}


@pytest.fixture
def staged_repo(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "repo", STAGED, git=True)
    run_git(root, "add", "-A")
    return root


def imported(args: list[str], cwd: Path) -> set[str]:
    """The top-level names of every module ``crackjack ARGS`` imported."""
    return {name.split(".")[0] for name in imported_modules(args, cwd)[1]}


def test_the_observation_sees_typer_where_it_is_used(staged_repo: Path) -> None:
    assert "typer" in imported(["--fast", "--version"], staged_repo)


def test_version_imports_none_of_the_stack(staged_repo: Path) -> None:
    assert imported(["--version"], staged_repo) & set(STACK) == set()


def test_the_git_hook_imports_no_typer(staged_repo: Path) -> None:
    assert "typer" not in imported(["git-hook", "pre-commit"], staged_repo)


def test_a_cached_run_imports_no_typer(staged_repo: Path) -> None:
    assert "typer" in imported(["--staged", "--fast"], staged_repo)  # the first: Typer parses
    assert "typer" not in imported(["--staged", "--fast"], staged_repo)


def test_the_git_hook_imports_neither_rich_nor_pydantic(staged_repo: Path) -> None:
    imported(["git-hook", "pre-commit"], staged_repo)  # the first validates the settings
    assert imported(["git-hook", "pre-commit"], staged_repo) & set(NOT_AT_COMMIT) == set()


def test_a_cached_run_imports_neither_rich_nor_pydantic(staged_repo: Path) -> None:
    imported(["--staged", "--fast"], staged_repo)
    assert imported(["--staged", "--fast"], staged_repo) & set(NOT_AT_COMMIT) == set()


def test_recover_imports_no_typer(staged_repo: Path) -> None:
    assert "typer" not in imported(["recover"], staged_repo)
