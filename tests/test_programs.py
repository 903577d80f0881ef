from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from crackjack.core.process.programs import (
    CRACKJACK,
    GIVEN_PATH,
    ON_PATH,
    PROJECT_ENV,
    FoundProgram,
    ProgramSearch,
    program_version,
)


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


def search(root: Path, python: str | None = None) -> ProgramSearch:
    """A search for a project with no environment of its own unless ``python`` is given."""
    return ProgramSearch(root, python or sys.executable)


def test_found_on_path(tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = make_program(tmp_path / "b")
    monkeypatch.setenv("PATH", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert search(tmp_path).find("tool") == FoundProgram(str(program), ON_PATH)


def test_path_defaults_to_the_environment(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = make_program(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert search(tmp_path).find("tool") == FoundProgram(str(program), ON_PATH)


def test_the_interpreter_directory_comes_first(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(tmp_path / "bin")
    own = make_program(venv_bin)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert search(tmp_path).find("tool") == FoundProgram(str(own), CRACKJACK)


def test_the_project_environment_comes_before_crackjack_and_path(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's own tools win over crackjack's (its bundled ruff is the fallback)."""
    make_program(tmp_path / "bin")
    make_program(venv_bin)
    project = tmp_path / "project"
    own = make_program(project / ".venv" / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    programs = search(project, str(project / ".venv" / "bin" / "python"))
    assert programs.environment == str(project / ".venv" / "bin")
    assert programs.find("tool") == FoundProgram(str(own), PROJECT_ENV)
    assert programs.shown(str(own)) == ".venv/bin/tool"
    assert search(project).environment is None


def test_no_interpreter_path_means_path_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "")
    program = make_program(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert search(tmp_path).find("tool") == FoundProgram(str(program), ON_PATH)


def test_missing_or_not_executable_is_none(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(tmp_path / "bin", mode=0o644)
    (tmp_path / "bin" / "dir-tool").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert search(tmp_path).find("tool") is None
    assert search(tmp_path).find("dir-tool") is None
    assert search(tmp_path).find("absent") is None
    monkeypatch.setenv("PATH", "")
    assert search(tmp_path).find("tool") is None


def test_empty_path_entries_are_not_the_current_directory(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_program(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep)
    assert search(tmp_path).find("tool") is None


def test_a_relative_path_is_from_the_project_root_where_the_hook_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = make_program(tmp_path / "scripts", "run")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    monkeypatch.setenv("PATH", "")
    assert search(tmp_path).find("./scripts/run") == FoundProgram(str(script), GIVEN_PATH)
    assert search(tmp_path / "sub").find("../scripts/run") == FoundProgram(str(script), GIVEN_PATH)
    assert search(tmp_path).find("./absent") is None


def test_a_path_that_cannot_start_says_why(tmp_path: Path) -> None:
    make_program(tmp_path / "hooks", "data.sh", mode=0o644)
    (tmp_path / "hooks" / "folder").mkdir()
    (tmp_path / "hooks" / "bare.sh").write_text("echo hi\n")
    (tmp_path / "hooks" / "bare.sh").chmod(0o755)
    (tmp_path / "hooks" / "binary").write_bytes(b"\x7fELF\x02\x01\x01\x00")
    (tmp_path / "hooks" / "binary").chmod(0o755)
    programs = search(tmp_path)

    def problem(name: str) -> str | None:
        found = programs.find(name)
        assert found is not None
        return found.problem

    assert problem("hooks/data.sh") == "hooks/data.sh is not executable: chmod +x hooks/data.sh"
    assert problem("hooks/folder") == "hooks/folder is a directory, not a program"
    assert problem("hooks/bare.sh") == "hooks/bare.sh has no #! line: add one, such as #!/bin/sh"
    assert problem("hooks/binary") is None


def test_absolute_path(tmp_path: Path) -> None:
    script = make_program(tmp_path)
    assert search(tmp_path / "elsewhere").find(str(script)) == FoundProgram(str(script), GIVEN_PATH)


def test_the_install_hint_names_the_project_environment(tmp_path: Path) -> None:
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    programs = search(tmp_path, str(python))
    assert programs.install_hint("pip install mypy") == ".venv/bin/python -m pip install mypy"
    make_program(python.parent, "pip")
    assert programs.install_hint("pip install mypy") == ".venv/bin/pip install mypy"
    assert programs.install_hint("brew install taplo") == "brew install taplo"
    assert search(tmp_path).install_hint("pip install mypy") == "pip install mypy"


def test_program_version_is_its_first_version_number(tmp_path: Path) -> None:
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\necho 'tool 1.2.3rc1 (compiled: yes)'\necho python 3.11\n")
    tool.chmod(0o755)
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\nexit 2\n")
    failing.chmod(0o755)
    assert program_version(str(tool), tmp_path) == "1.2.3rc1"
    assert program_version(str(failing), tmp_path) == "?"
