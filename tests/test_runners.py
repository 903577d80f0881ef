"""Hook runners behind one protocol: mistakes in a hook's runner settings are found when the
configuration loads, before anything runs, from every entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import make_repo, run_git
from tests.project import PYTHON, hook_table, make_project, run_cli

ENTRY_POINTS = (("--fast",), ("--fast", "--dry-run"), ("hooks",), ("git-hook", "pre-commit"))
DIRTY = "x = 1   \n"


def repository(root: Path, config: str) -> Path:
    """A repository with ``config`` and a staged Python file with trailing whitespace."""
    make_repo(root)
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    (root / "a.py").write_text(DIRTY, encoding="utf-8")
    run_git(root, "add", "-A")
    return root


@pytest.mark.parametrize("args", ENTRY_POINTS, ids=" ".join)
@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            hook_table("check-large-files", args=["--maxkb=lots"]),
            "tool.crackjack.hooks.check-large-files.args: --maxkb expects a whole number",
        ),
        (
            hook_table("trailing-whitespace", args=["--strip-all"]),
            "tool.crackjack.hooks.trailing-whitespace.args: unknown argument '--strip-all'",
        ),
        (
            hook_table("check-yaml", args=["--no-such-flag"]),
            "tool.crackjack.hooks.check-yaml.args: unknown argument '--no-such-flag'",
        ),
        (
            hook_table("check-toml", pass_filenames=False),
            "tool.crackjack.hooks.check-toml.pass_filenames: not a setting of a built-in",
        ),
        (
            hook_table("pytest", command=["pytest"], runner="pytest"),
            "tool.crackjack.hooks.pytest.command: not a setting of a pytest hook",
        ),
        (
            hook_table("lint", command=["lint", "x"], phase="fast", shell=True),
            "tool.crackjack.hooks.lint.command: with shell = true, give one shell command",
        ),
        (
            hook_table("lint", runner="docker", phase="fast"),
            "tool.crackjack.hooks.lint.runner: unknown runner 'docker'"
            " (known: command, pytest, pygrep, fail)",
        ),
        ('[tool.crackjack]\nskip = ["nope"]\n', "tool.crackjack.skip: unknown hook 'nope'"),
        (
            '[tool.crackjack.tests]\npython = "no-such-python"\n',
            "tool.crackjack.tests.python: ",
        ),
    ],
)
def test_a_bad_runner_setting_stops_every_entry_point_before_anything_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    table: str,
    message: str,
) -> None:
    root = repository(tmp_path / "project", table)
    result = run_cli(args, root, monkeypatch, capsys)
    assert result.code == 2
    assert message in result.err
    assert (root / "a.py").read_text(encoding="utf-8") == DIRTY


def test_good_arguments_of_a_builtin_check_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repository(tmp_path / "project", hook_table("check-large-files", args=["--maxkb=1"]))
    (root / "big.txt").write_text("x" * 2048 + "\n", encoding="utf-8")
    result = run_cli(["--fast", "--hook", "check-large-files"], root, monkeypatch, capsys)
    assert result.code == 1
    assert "big.txt" in result.out


def skip_project(root: Path, config: str = "") -> Path:
    tables = "".join(
        hook_table(hook_id, command=[PYTHON, "-c", "pass"], phase="fast", pass_filenames=False)
        for hook_id in ("a", "b")
    )
    return make_project(root, {"x.txt": "x\n"}, config=config + tables)


def reason_of(out: str, hook_id: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"{hook_id} ..."))


def test_each_skipped_hook_names_what_skipped_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = skip_project(tmp_path / "env")
    monkeypatch.setenv("CRACKJACK_SKIP", "b")
    result = run_cli(["--fast", "--skip", "a"], root, monkeypatch, capsys)
    assert "skipped by --skip" in reason_of(result.out, "a")
    assert "skipped by CRACKJACK_SKIP" in reason_of(result.out, "b")
    monkeypatch.delenv("CRACKJACK_SKIP")
    root = skip_project(tmp_path / "setting", config='skip = ["b"]\n')
    result = run_cli(["--fast"], root, monkeypatch, capsys)
    assert "skipped by tool.crackjack.skip" in reason_of(result.out, "b")
    assert "passed" in reason_of(result.out, "a")


def test_a_mistake_is_refused_before_unstaged_changes_are_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repository(tmp_path / "project", '[tool.crackjack]\nskip = ["nope"]\n')
    (root / "a.py").write_text(DIRTY + "y = 2\n", encoding="utf-8")
    result = run_cli(["git-hook", "pre-commit"], root, monkeypatch, capsys)
    assert result.code == 2
    assert "tool.crackjack.skip: unknown hook 'nope'" in result.err
    assert "hidden" not in result.out + result.err
    assert (root / "a.py").read_text(encoding="utf-8") == DIRTY + "y = 2\n"
    assert not (root / ".git" / "crackjack" / "recovery").exists()
