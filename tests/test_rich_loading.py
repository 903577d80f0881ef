"""Rich loads only when there is something to draw with it: never for plain output and the
summary, nor for a git-hook run without a terminal (by name, in ``python -X importtime``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.imports import imported


def rich_modules(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "rich" or name.startswith("rich.")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with a file a fixer changes, so the summary has a block to show."""
    repo = make_repo(tmp_path / "repo")
    write(repo / "a.py", "x = 1\n")
    commit_all(repo)
    write(repo / "a.py", "x = 1   \n")
    write(repo / "notes.txt", "trailing  \n")
    run_git(repo, "add", "-A")
    return repo


def test_plain_output_and_the_summary_do_not_import_rich(project: Path) -> None:
    done, modules = imported(["--fast", "--all-files"], project)
    assert done.returncode == 1, done.stdout
    assert "notes.txt" in done.stdout
    assert "fast: failed in" in done.stdout
    assert "crackjack.cli.summary" in modules
    assert not rich_modules(modules)


def test_a_git_hook_run_without_a_terminal_does_not_import_rich(project: Path) -> None:
    done, modules = imported(["git-hook", "pre-commit"], project)
    assert done.returncode == 1, done.stdout
    assert "modified: " in done.stdout
    assert not rich_modules(modules)


def test_a_dry_run_draws_its_plan_with_rich(project: Path) -> None:
    done, modules = imported(["--fast", "--dry-run"], project)
    assert done.returncode == 0, done.stdout
    assert "rich.table" in modules


DRAW_WITH_RICH = {"live.py", "timeline.py", "planview.py", "richconsole.py"}


def test_only_the_views_that_draw_with_rich_import_it() -> None:
    cli = Path(__file__).parent.parent / "crackjack" / "cli"
    importing = {
        path.name
        for path in cli.glob("*.py")
        if any(
            line.startswith(("from rich", "import rich"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    }
    assert importing == DRAW_WITH_RICH
