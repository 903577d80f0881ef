"""pre-commit's ``SKIP=a,b`` is honoured like ``CRACKJACK_SKIP`` (issue 11 point 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.project import hook_table, make_project, run_cli, tool, workflow_table

TOUCH = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text('ran\\n')\n"
HOOKS = ("a", "b", "c")


def three_hook_project(root: Path) -> Path:
    """Workflow ``mine`` with hooks ``a``, ``b`` and ``c``; each writes ``ran-ID`` when it runs."""
    config = 'exclude = [".tools/"]\n' + workflow_table("mine", ["mine"])
    for hook_id in HOOKS:
        command = [*tool(root, "touch", TOUCH), str(root / f"ran-{hook_id}")]
        config += hook_table(hook_id, command=command, phase="mine", pass_filenames=False)
    return make_project(root, {"a.txt": "hello\n"}, config=config)


def reasons(out: str) -> dict[str, str]:
    """Each hook's plain-mode line, by hook id."""
    return {line.split(" ", 1)[0]: line for line in out.splitlines() if " ..." in line}


def test_skip_names_the_variable_and_joins_crackjack_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    three_hook_project(tmp_path)
    monkeypatch.setenv("SKIP", "a, no-such-hook,,other-projects-hook")
    monkeypatch.setenv("CRACKJACK_SKIP", "b")
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 0, result.out + result.err
    lines = reasons(result.out)
    assert "skipped by SKIP" in lines["a"]
    assert "skipped by CRACKJACK_SKIP" in lines["b"]
    assert [hook for hook in HOOKS if (tmp_path / f"ran-{hook}").exists()] == ["c"]


def test_skip_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    three_hook_project(tmp_path)
    monkeypatch.setenv("SKIP", "c,a")
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 0, result.out + result.err
    assert [hook for hook in HOOKS if (tmp_path / f"ran-{hook}").exists()] == ["b"]


def test_unknown_ids_stay_an_error_in_crackjack_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    three_hook_project(tmp_path)
    monkeypatch.setenv("SKIP", "a")
    monkeypatch.setenv("CRACKJACK_SKIP", "no-such-hook")
    result = run_cli(["-w", "mine"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert "CRACKJACK_SKIP: unknown hook 'no-such-hook'" in result.err
