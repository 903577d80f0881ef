"""The project's own tools: every hook program is looked up in the project's environment first,
then beside crackjack, then on PATH; `crackjack hooks` says which one runs; a program that is
there but cannot start says why."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import make_repo, run_git, write
from tests.project import hook_table, run_cli
from tests.toolvenvs import cached_venv, fake_venv

RUFF_HOOKS = ("--hook", "ruff-check", "--hook", "ruff-format")
PINNED_RUFF = "0.15.22"


def python_project(root: Path, config: str = "") -> Path:
    """A repository with a clean Python file, its ``.venv`` ignored as projects do."""
    make_repo(root)
    write(root / "pyproject.toml", config)
    write(root / ".gitignore", ".venv/\n")
    write(root / "a.py", "x = 1\n")
    run_git(root, "add", "-A")
    return root


def logging_ruff(log: str) -> dict[str, str]:
    """A fake ruff that says its version and appends its arguments to ``log``."""
    return {
        "ruff": f'[ "$1" = --version ] && echo "ruff 0.15.99" && exit 0\necho "$@" >> {log}',
        "pip": "exit 0",
    }


def results(report: Path) -> dict[str, dict[str, Any]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {hook["hook"]: hook for phase in document["phases"] for hook in phase["hooks"]}


def test_the_projects_venv_tool_runs_even_when_it_is_not_active(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = python_project(tmp_path / "p")
    fake_venv(root, logging_ruff("$(dirname $0)/ran"))
    result = run_cli(["--fast", *RUFF_HOOKS], root, monkeypatch, capsys)
    assert result.code == 0, result.out
    ran = (root / ".venv" / "bin" / "ran").read_text().splitlines()
    assert ran == ["check --fix --force-exclude -- a.py", "format --force-exclude -- a.py"]


def test_an_active_virtual_environment_wins_over_the_projects_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = python_project(tmp_path / "p")
    fake_venv(root, logging_ruff("$(dirname $0)/ran"))
    active = fake_venv(tmp_path / "active", logging_ruff("$(dirname $0)/ran"))
    monkeypatch.setenv("VIRTUAL_ENV", str(active.parent))
    result = run_cli(["--fast", "--ci", *RUFF_HOOKS], root, monkeypatch, capsys)
    assert result.code == 0, result.out
    assert not (root / ".venv" / "bin" / "ran").exists()
    ran = sorted((active / "ran").read_text().splitlines())  # check-only hooks run at once
    assert ran == [
        "check --no-fix --force-exclude --output-format json -- a.py",
        "format --check --force-exclude -- a.py",
    ]


def test_crackjack_hooks_shows_each_programs_path_version_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tools = tmp_path / "tools"
    write(tools / "spell", "#!/bin/sh\necho 'spell version 2.4'\n").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    config = hook_table("spell", command=["spell"], phase="fast") + hook_table(
        "gone", command=["crackjack-test-no-such-tool"], phase="fast", install="pip install gone"
    )
    root = python_project(tmp_path / "p", config)
    fake_venv(root, logging_ruff("/dev/null"))
    result = run_cli(["hooks"], root, monkeypatch, capsys)
    assert result.code == 0
    lines = result.out.splitlines()

    def cell(hook_id: str, line: int = 0) -> str:
        row = next(i for i, text in enumerate(lines) if text.startswith(f"│ {hook_id} "))
        return lines[row + line].split("│")[-2].strip()

    assert (cell("ruff-check"), cell("ruff-check", 1)) == (".venv/bin/ruff", "0.15.99, project env")
    assert cell("mypy", 1).endswith(", crackjack's")
    assert (cell("spell"), cell("spell", 1)) == (str(tools / "spell"), "2.4, PATH")
    assert cell("gone") == "missing: crackjack-test-no-such-tool (.venv/bin/pip install gone)"


def test_crackjack_hooks_never_cuts_a_hook_id_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long_id = "check-the-changelog-entries"
    root = python_project(tmp_path / "p", hook_table(long_id, command=["true"], phase="fast"))
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli(["hooks"], root, monkeypatch, capsys)
    assert result.code == 0
    lines = result.out.splitlines()
    assert max(map(len, lines)) <= 80
    first_cells = {line.split("│")[1].strip() for line in lines if line.startswith("│")}
    for hook_id in ("check-merge-conflict", "trailing-whitespace", "ruff-format", long_id):
        assert hook_id in first_cells, result.out
    assert "…" not in result.out


def quoted_table(hook_id: str, command: str, *more: str) -> str:
    """A hook table for an id that is no bare TOML key (``x.sh``)."""
    keys = "".join(f"{line}\n" for line in (f'command = ["{command}"]', 'phase = "fast"', *more))
    return f'[tool.crackjack.hooks."{hook_id}"]\n{keys}'


def cannot_start_project(root: Path) -> Path:
    config = (
        quoted_table("ok.sh", "hooks/ok.sh")
        + quoted_table("data.sh", "hooks/data.sh")
        + quoted_table("noexec.sh", "hooks/noexec.sh")
        + quoted_table("folder", "hooks/folder")
        + quoted_table("gone.x", "crackjack-test-no-such-tool", 'install = "pip install gone"')
    )
    python_project(root, config)
    fake_venv(root, {"pip": "exit 0"})
    write(root / "hooks" / "ok.sh", "#!/bin/sh\nexit 0\n").chmod(0o755)
    write(root / "hooks" / "data.sh", "#!/bin/sh\nexit 0\n").chmod(0o644)
    write(root / "hooks" / "noexec.sh", "exit 0\n").chmod(0o755)
    (root / "hooks" / "folder").mkdir()
    (root / "sub").mkdir()
    return root


def test_a_program_that_is_there_but_cannot_start_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from a subfolder: command paths are from the project root, where hooks run."""
    root = cannot_start_project(tmp_path / "p")
    report = tmp_path / "report.json"
    result = run_cli(["--fast", "--report", str(report)], root / "sub", monkeypatch, capsys)
    assert result.code == 1
    found = {key: (r["status"], r["message"]) for key, r in results(report).items()}
    assert found["ok.sh"] == ("passed", "")
    assert found["data.sh"] == (
        "error",
        "hooks/data.sh is not executable: chmod +x hooks/data.sh",
    )
    assert found["noexec.sh"] == (
        "error",
        "hooks/noexec.sh has no #! line: add one, such as #!/bin/sh",
    )
    assert found["folder"] == ("error", "hooks/folder is a directory, not a program")
    status, message = found["gone.x"]
    assert status == "missing"
    assert message == (
        "crackjack-test-no-such-tool not found: install it (`.venv/bin/pip install gone`),"
        ' or switch the hook off with [tool.crackjack.hooks."gone.x"] enabled = false'
    )
    listed = run_cli(["hooks"], root / "sub", monkeypatch, capsys).out
    assert "hooks/data.sh is not executable" in listed


@pytest.fixture(scope="session")
def pinned_ruff(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real virtual environment with a ruff other than crackjack's."""
    return cached_venv(request.config, tmp_path_factory, f"ruff=={PINNED_RUFF}")


@pytest.mark.slow
def test_the_ruff_a_project_pins_is_the_ruff_that_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pinned_ruff: Path,
) -> None:
    """Its ``required-version`` refuses any other ruff: crackjack's own would fail the run."""
    config = f'[tool.ruff]\nrequired-version = "=={PINNED_RUFF}"\n'
    root = python_project(tmp_path / "p", config)
    (root / ".venv").symlink_to(pinned_ruff)
    for mode in ((), ("--ci",)):
        result = run_cli(["--fast", *mode, *RUFF_HOOKS], root, monkeypatch, capsys)
        assert result.code == 0, result.out
    listed = run_cli(["hooks"], root, monkeypatch, capsys).out
    assert f"{PINNED_RUFF}, project env" in listed
    (root / ".venv").unlink()
    monkeypatch.setenv("VIRTUAL_ENV", str(pinned_ruff))
    result = run_cli(["--fast", *RUFF_HOOKS], root, monkeypatch, capsys)
    assert result.code == 0, result.out
