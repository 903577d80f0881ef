"""What a new user's first runs must never do: touch a virtual environment, write through a
symlink, rewrite a non-text file, lint crackjack's own outputs, or pass when nothing was checked.

Black-box: the real CLI in a real repository, as a person would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.project import run_process
from tests.realprojects import tree_digest

DIRTY_TEXT = "x = 1   \nno newline at the end"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    write(root / "a.py", "x = 1\n")
    commit_all(root)
    return root


def dirty(folder: Path) -> None:
    """Files every fast fixer would change, were they given them."""
    write(folder / "lib" / "mod.py", "import os\nx  =  1   \n")
    write(folder / "notes.txt", DIRTY_TEXT)
    write(folder / "lib" / "__pycache__" / "mod.cpython-311.pyc", b"\x00\x01compiled")


def test_a_real_unignored_venv_is_never_touched(project: Path) -> None:
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    dirty(venv / "lib" / "python3" / "site-packages")
    before = tree_digest(venv)

    run_process(["--fast"], project)

    assert tree_digest(venv) == before


@pytest.mark.parametrize("marker", ["pyvenv.cfg", "conda-meta/history"])
def test_a_folder_that_is_an_environment_is_never_touched(project: Path, marker: str) -> None:
    env = project / "env"
    write(env / marker, "home = /usr/bin\n")
    dirty(env)
    run_git(project, "add", "-A")
    before = tree_digest(env)

    run_process(["--fast"], project)
    run_process(["--fast", "env/notes.txt"], project)

    assert tree_digest(env) == before


def test_nothing_is_written_through_a_symlinked_folder(project: Path) -> None:
    outside = write(project.parent / "outside" / "in.txt", DIRTY_TEXT)
    (project / "dirlink").symlink_to(Path("..") / "outside")
    run_git(project, "add", "dirlink")

    run_process(["--fast", "dirlink/in.txt"], project)
    run_process(["--fast"], project)

    assert outside.read_text(encoding="utf-8") == DIRTY_TEXT


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_file_with_a_utf16_or_utf32_byte_order_mark_is_never_changed(
    project: Path, encoding: str
) -> None:
    content = "hello   \r\nworld  ".encode(encoding)
    text = write(project / "wide.txt", content)
    run_git(project, "add", "wide.txt")

    run_process(["--fast"], project)

    assert text.read_bytes() == content


def hook_files(report: Path) -> dict[str, int]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {hook["hook"]: hook["files"] for phase in document["phases"] for hook in phase["hooks"]}


def test_crackjacks_own_outputs_are_checked_neither_by_the_run_that_writes_them_nor_later(
    project: Path,
) -> None:
    outputs = ["--report", "report.json", "--junit", "junit.xml", "--events", "events.jsonl"]
    run_process(["--fast", *outputs], project)
    run_process(["--fast", *outputs], project)
    files_then = hook_files(project / "report.json")
    later = project.parent / "later.json"

    run_process(["--fast", "--report", str(later)], project)

    assert files_then["trailing-whitespace"] == 1  # a.py alone
    assert hook_files(later)["trailing-whitespace"] == 1


def test_a_mistyped_command_is_an_error_with_a_suggestion(project: Path) -> None:
    done = run_process(["instal"], project)

    assert done.returncode == 2
    assert "did you mean" in (done.stdout + done.stderr).lower()
    assert "install" in done.stdout + done.stderr


def test_a_path_that_does_not_exist_is_an_error_naming_it(project: Path) -> None:
    done = run_process(["--fast", "nosuchfile.py"], project)

    assert done.returncode == 2
    assert "nosuchfile.py" in done.stdout + done.stderr
    assert not os.path.exists(project / "nosuchfile.py")
