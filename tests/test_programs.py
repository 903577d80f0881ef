from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from crackjack.core.process.programs import resolve_program


def make_program(directory: Path, name: str = "tool", *, mode: int = 0o755) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    program = directory / name
    program.write_text("#!/bin/sh\n")
    program.chmod(mode)
    return program


@pytest.fixture
def venv_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the directory of the interpreter running crackjack."""
    directory = tmp_path / "venv" / "bin"
    directory.mkdir(parents=True)
    monkeypatch.setattr(sys, "executable", str(directory / "python"))
    return directory


def test_found_on_path(tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = make_program(tmp_path / "b")
    monkeypatch.setenv("PATH", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert resolve_program("tool") == str(program)


def test_path_defaults_to_the_environment(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = make_program(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert resolve_program("tool") == str(program)


def test_the_interpreter_directory_comes_first(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(tmp_path / "bin")
    own = make_program(venv_bin)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert resolve_program("tool") == str(own)


def test_no_interpreter_path_means_path_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "")
    program = make_program(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert resolve_program("tool") == str(program)


def test_missing_or_not_executable_is_none(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(tmp_path / "bin", mode=0o644)
    (tmp_path / "bin" / "dir-tool").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert resolve_program("tool") is None
    assert resolve_program("dir-tool") is None
    assert resolve_program("absent") is None
    monkeypatch.setenv("PATH", "")
    assert resolve_program("tool") is None


def test_empty_path_entries_are_not_the_current_directory(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep)
    assert resolve_program("tool") is None


def test_relative_path_is_checked_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = make_program(tmp_path / "scripts", "run")
    make_program(tmp_path / "scripts", "data", mode=0o644)
    monkeypatch.chdir(tmp_path / "scripts")
    assert resolve_program("./run") == str(script)
    monkeypatch.setenv("PATH", "")
    assert resolve_program("../scripts/run") == str(script)
    assert resolve_program("./data") is None
    assert resolve_program("./absent") is None


def test_absolute_path(tmp_path: Path) -> None:
    script = make_program(tmp_path)
    assert resolve_program(str(script)) == str(script)
