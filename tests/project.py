"""Small real projects for tests: fake tools are Python scripts run by this interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from crackjack.cli.entry import answer
from crackjack.core.valueclass import value

PYTHON = sys.executable


def toml_value(value: object) -> str:
    """A TOML literal for str, bool, number or a list of them (JSON's forms are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def hook_table(hook_id: str, **keys: object) -> str:
    lines = [f"[tool.crackjack.hooks.{hook_id}]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


def tool(project: Path, name: str, code: str) -> list[str]:
    """Write a fake tool script into the project; return the command that runs it."""
    script = project / ".tools" / f"{name}.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    return [PYTHON, str(script)]


def make_project(
    root: Path, files: Mapping[str, str | bytes] = {}, *, config: str = "", git: bool = False
) -> Path:
    """A project at ``root`` with a pyproject.toml holding ``config`` (under [tool.crackjack])."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        "[tool.crackjack]\n" + textwrap.dedent(config), encoding="utf-8"
    )
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if git:
        subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q"], cwd=root, check=True)
    return root


@value(eq=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli(
    args: Sequence[str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    hooks_show_tracebacks: bool = False,
) -> CliResult:
    """Run crackjack in this process, as its console script would, in ``cwd``; whatever
    happens, it never shows a traceback of its own (``hooks_show_tracebacks``: the output of
    the hooks, on stdout, may show theirs, as pytest does)."""
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = answer(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if not hooks_show_tracebacks:
        assert "Traceback" not in captured.out
    return CliResult(code, captured.out, captured.err)


class Cli:
    """``run_cli`` for tests whose hooks may print tracebacks of their own (pytest does), with
    ``first`` arguments before each call's."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *first: str
    ) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.first = first

    def __call__(self, root: Path, *args: str) -> CliResult:
        return run_cli(
            [*self.first, *args], root, self.monkeypatch, self.capsys, hooks_show_tracebacks=True
        )


def run_process(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run crackjack as a real subprocess (for signals, terminals and the console script)."""
    return subprocess.run(
        [PYTHON, "-m", "crackjack", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def workflow_table(name: str, phases: Sequence[str]) -> str:
    """A ``[tool.crackjack.workflows.NAME]`` table running ``phases``."""
    return f"[tool.crackjack.workflows.{name}]\nphases = {toml_value(list(phases))}\n"


def crackjack_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a real crackjack process gets: this one (isolated by conftest) + ``env``."""
    return {**os.environ, **(env or {})}


def start_process(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start crackjack as a real subprocess without waiting (to signal it); output as bytes."""
    return subprocess.Popen(
        [PYTHON, "-m", "crackjack", *args],
        cwd=cwd,
        env=crackjack_env(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
