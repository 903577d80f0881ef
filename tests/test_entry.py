"""The entry (``cli/entry.py``): what it answers without Typer says what Typer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from crackjack import __version__
from tests.project import run_cli, run_process


@pytest.mark.parametrize("args", [["--version"], ["--fast", "--version"], ["run", "--version"]])
def test_the_version_is_one_line_wherever_it_is_asked(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(args, tmp_path, monkeypatch, capsys)
    assert (result.code, result.out, result.err) == (0, f"crackjack {__version__}\n", "")


def test_the_console_script_prints_the_version(tmp_path: Path) -> None:
    done = run_process(["--version"], tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"crackjack {__version__}\n", "")


def test_git_hook_without_a_type_is_typers_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["git-hook"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert result.err == "crackjack: Missing argument 'hook_type'. (see crackjack --help)\n"


def test_an_unknown_git_hook_type_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["git-hook", "post-merge", "1"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert result.err == (
        "crackjack: unsupported git hook 'post-merge' (supported: pre-commit, pre-push)\n"
    )


def test_git_hook_help_goes_to_typer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["git-hook", "pre-commit", "--help"], tmp_path, monkeypatch, capsys)
    assert result.code == 0
    assert result.out.startswith("Usage: crackjack git-hook")
