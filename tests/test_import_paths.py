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


TRIVIAL = """
[tool.crackjack.hooks.true]
command = ["true"]
phase = "trivial"

[tool.crackjack.workflows.trivial]
phases = ["trivial"]
"""
NOT_IN_A_TRIVIAL_RUN = (
    *NOT_AT_COMMIT,
    "typer",
    "identify",  # file types: the default type, a regular file, is one lstat
    "tomllib",  # read only when a hook's settings need it (mypy's, bandit's) or on a cache miss
    "configparser",
    "dataclasses",  # crackjack.core.valueclass instead, with inspect and ast
    "inspect",
    "ast",
    "tempfile",  # the run's log folder is made with mkdir; tempfile and shutil when pruning
    "shutil",
    "traceback",  # only for an error
    "hashlib",  # OpenSSL: crackjack.core.digest hashes short input with CPython's own modules
    "_hashlib",
    "secrets",
    "xml",  # JUnit, only with --junit
    "crackjack.cli.reports",
    "crackjack.cli.eventstream",
    "crackjack.hooks.checks.debug_statements",  # the in-process checks, when they run
    "crackjack.hooks.checks.end_of_file",
    "crackjack.hooks.checks.large_files",
    "crackjack.hooks.checks.merge_conflict",
    "crackjack.hooks.checks.syntax",
    "crackjack.hooks.checks.whitespace",
    "crackjack.core.git.hiding",  # git-hook mode only
    "crackjack.core.git.restore",
    "crackjack.core.git.recoverywrite",
)


def test_a_trivial_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    """One hook running ``true``, from the second run on (the settings and the command line
    cached): what the run does not use is never imported (issue 13's trivial run)."""
    root = make_project(tmp_path / "repo", STAGED, config=TRIVIAL, git=True)
    run_git(root, "add", "-A")
    imported_modules(["-w", "trivial"], root)
    done, modules = imported_modules(["-w", "trivial"], root)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "true" in done.stdout
    top_level = {name.split(".")[0] for name in modules}
    unused = {name for name in NOT_IN_A_TRIVIAL_RUN if name in modules or name in top_level}
    assert unused == set()


def test_the_trivial_run_test_sees_what_a_run_uses(tmp_path: Path) -> None:
    """The observation above can fail: the same hook given text files needs identify's tags."""
    config = TRIVIAL.replace('phase = "trivial"', 'phase = "trivial"\ntypes = ["text"]')
    root = make_project(tmp_path / "repo", STAGED, config=config, git=True)
    run_git(root, "add", "-A")
    imported_modules(["-w", "trivial"], root)
    assert "identify" in imported(["-w", "trivial"], root)
