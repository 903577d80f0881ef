"""``--no-cache`` and ``CRACKJACK_NO_CACHE=1`` reach the settings a run uses: through Typer, through
the argv cache, and in git-hook mode, where the installed hook passes only the environment.

What a run used is read from the settings cache entry it left (``<git dir>/crackjack/settings``):
the validated values, exactly as the run read them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crackjack.cli import argvcache
from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.project import hook_table, make_project, run_cli, run_process, tool, workflow_table

CONFIG = 'exclude = [".tools/"]\n' + workflow_table("mine", ["mine"])


def project(root: Path) -> Path:
    make_repo(root)
    hook = hook_table("h", command=tool(root, "h", "print('checked')"), phase="mine")
    return make_project(root, {"a.txt": "hello\n"}, config=CONFIG + hook)


def no_cache_seen(root: Path) -> bool:
    """The ``no_cache`` setting of the one run since the last call."""
    folder = root / ".git" / "crackjack" / "settings"
    [entry] = folder.glob("*.json")
    seen = json.loads(entry.read_bytes())["settings"]["no_cache"]
    shutil.rmtree(folder)
    assert isinstance(seen, bool)
    return seen


def test_the_flag_reaches_the_settings_through_typer_and_the_argv_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "repo")

    def run(*args: str) -> bool:
        result = run_cli(["-w", "mine", *args], root, monkeypatch, capsys)
        assert result.code == 0, result
        assert "passed" in result.out
        return no_cache_seen(root)

    assert run() is False
    digest = argvcache.key(["-w", "mine", "--no-cache"])
    assert digest is not None
    assert argvcache.recall(digest) is None
    assert run("--no-cache") is True
    recalled = argvcache.recall(digest)
    assert recalled is not None
    assert recalled.no_cache is True
    assert run("--no-cache") is True, "read back from the argv cache"
    assert run() is False


def test_the_variable_reaches_the_settings_and_the_flag_cannot_be_undone_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "repo")
    monkeypatch.setenv("CRACKJACK_NO_CACHE", "1")
    assert run_cli(["-w", "mine"], root, monkeypatch, capsys).code == 0
    assert no_cache_seen(root) is True
    monkeypatch.setenv("CRACKJACK_NO_CACHE", "0")
    assert run_cli(["-w", "mine"], root, monkeypatch, capsys).code == 0
    assert no_cache_seen(root) is False
    assert run_cli(["-w", "mine", "--no-cache"], root, monkeypatch, capsys).code == 0
    assert no_cache_seen(root) is True


def test_a_bad_variable_is_the_usual_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "repo")
    monkeypatch.setenv("CRACKJACK_NO_CACHE", "maybe")
    refused = run_cli(["-w", "mine"], root, monkeypatch, capsys)
    assert refused.code == 2
    assert refused.err.splitlines() == ["crackjack: CRACKJACK_NO_CACHE: expected true or false"]


@pytest.mark.parametrize(("env", "seen"), [({"CRACKJACK_NO_CACHE": "1"}, True), ({}, False)])
def test_the_variable_reaches_the_git_hook(tmp_path: Path, env: dict[str, str], seen: bool) -> None:
    """``crackjack git-hook pre-commit``, as the installed hook runs it (the entry answers it
    without Typer), in a real crackjack process on a staged file."""
    root = make_project(make_repo(tmp_path / "repo"), {"a.txt": "hello\n"})
    commit_all(root)
    write(root / "notes.txt", "staged\n")
    run_git(root, "add", "notes.txt")
    done = run_process(["git-hook", "pre-commit"], root, env)
    assert done.returncode == 0, done
    assert "fast: passed" in done.stdout
    assert no_cache_seen(root) is seen


def test_help_names_the_flag_and_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    helped = run_cli(["--help"], tmp_path, monkeypatch, capsys)
    assert "--no-cache" in helped.out
    assert "CRACKJACK_NO_CACHE=1" in helped.out
