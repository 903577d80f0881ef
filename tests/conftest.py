"""Every test runs away from the user's home, git config, CI variables and crackjack settings."""

from __future__ import annotations

import compileall
import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ["TERMINAL_WIDTH"] = "200"
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"

import pytest

import crackjack
from crackjack.cli.output import CI_VARIABLES
from tests.gitrepo import isolate_git, make_repo


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile crackjack's bytecode once, before any test: the suite starts crackjack as a
    process hundreds of times, and where ``PYTHONDONTWRITEBYTECODE`` is set (as on these
    machines) an editable install would otherwise compile every module again in each one."""
    if not hasattr(session.config, "workerinput"):  # the controller of pytest-xdist, or alone
        compileall.compile_dir(Path(crackjack.__file__).parent, quiet=1)


@pytest.hookimpl(wrapper=True)
def pytest_collection() -> Iterator[None]:
    """Keep the test modules as pytest rewrote their asserts (in ``tests/__pycache__``) while
    collecting, ``PYTHONDONTWRITEBYTECODE`` or not: rewriting them all again takes each xdist
    worker about 7 s. Only this process and only while it imports the tests: what the tests
    start still gets the variable, and nothing else is written while they run."""
    keep, sys.dont_write_bytecode = sys.dont_write_bytecode, False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = keep


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, each keeping its place among them: under pytest-xdist
    (``--dist worksteal``, as `.ci/run` runs it) a long test then starts early instead of
    being the last one running while the other workers wait."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


ENVIRONMENTS = ("VIRTUAL_ENV", "PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY", "SKIP")
COLOUR = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM")


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    isolate_git(monkeypatch, tmp_path_factory.mktemp("home"))
    for name in list(os.environ):
        if name.startswith("CRACKJACK_") or name in (*CI_VARIABLES, *COLOUR, *ENVIRONMENTS):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path_factory.getbasetemp().parent))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository (modules needing commits or files override this)."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A folder outside any git repository."""
    root = tmp_path / "plain"
    root.mkdir()
    return root
