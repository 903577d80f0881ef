"""The files a run may touch (issue 11 point 1, issue 12 point 3): never in a virtual
environment, under ``.git``, through a symlink, or among crackjack's own outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crackjack.core.files.outputs import RECORD, own_outputs, remember_outputs
from crackjack.core.files.selection import (
    AllFiles,
    ChangedFiles,
    FileSelection,
    GivenFiles,
    StagedFiles,
    select_files,
)
from crackjack.core.files.touchable import Touchable
from crackjack.core.git.worktree import work_tree_or_none
from tests.gitrepo import commit_all, run_git, write
from tests.project import make_project, run_cli

DIRTY = b"trailing   \nno final newline"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (symlinks as their target) with its bytes."""
    return {
        path.relative_to(folder).as_posix(): (
            str(path.readlink()).encode() if path.is_symlink() else path.read_bytes()
        )
        for path in sorted(folder.rglob("*"))
        if path.is_symlink() or path.is_file()
    }


def select(root: Path, selection: FileSelection, outputs: tuple[str, ...] = ()) -> list[str]:
    return select_files(root, selection, work_tree_or_none(root), outputs=outputs)


# --- the rule -----------------------------------------------------------------------------


def test_touchable_refuses_venvs_git_symlinks_and_outputs(plain: Path, tmp_path: Path) -> None:
    write(plain / "env" / "pyvenv.cfg")
    write(plain / "env" / "lib" / "a.py")
    write(plain / "conda" / "conda-meta" / "history")
    write(plain / "conda" / "pkgs" / "b.py")
    write(plain / "sub" / ".git" / "config")
    write(plain / "sub" / "c.py")
    write(plain / "report.json")
    (plain / "out").symlink_to(tmp_path, target_is_directory=True)
    (plain / "link.py").symlink_to("sub/c.py")
    keep = Touchable(plain, ["report.json"])
    names = ["env/lib/a.py", "conda/pkgs/b.py", "sub/.git/config", "sub/c.py", "report.json"]
    names += ["out/x.py", "link.py", "missing/d.py", ".git", "sub/.git"]
    assert keep.keep(names) == ["sub/c.py"]
    assert [keep.folder(folder) for folder in ("env/lib", "sub", "out")] == [False, True, False]


def test_every_selection_leaves_out_what_may_not_be_touched(repo: Path, tmp_path: Path) -> None:
    write(repo / "a.txt")
    write(repo / "env" / "pyvenv.cfg")
    write(repo / "env" / "lib" / "site.py")
    write(repo / "conda" / "conda-meta" / "history")
    write(repo / "conda" / "bin" / "tool")
    write(repo / "report.json")
    write(tmp_path / "outside" / "in.txt")
    (repo / "dirlink").symlink_to(tmp_path / "outside", target_is_directory=True)
    (repo / "filelink").symlink_to("a.txt")
    run_git(repo, "add", "-A")
    outputs = ("report.json",)
    expected = ["a.txt"]
    assert select(repo, StagedFiles(), outputs) == expected
    assert select(repo, AllFiles(), outputs) == expected
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "feature")
    for name in ("a.txt", "env/lib/site.py", "conda/bin/tool", "report.json"):
        write(repo / name, "changed\n")
    assert select(repo, ChangedFiles("main"), outputs) == expected
    given = GivenFiles(
        ("a.txt", "env", "env/lib/site.py", "conda", "report.json", "dirlink/in.txt", "."),
        cwd=repo,
    )
    assert select(repo, given, outputs) == expected


def test_the_walk_outside_git_follows_the_same_rule(plain: Path, tmp_path: Path) -> None:
    write(plain / "a.txt")
    write(plain / "my-env" / "pyvenv.cfg")
    write(plain / "my-env" / "lib" / "b.txt")
    write(plain / "deep" / "conda-env" / "conda-meta" / "history")
    write(plain / "deep" / "conda-env" / "c.txt")
    write(plain / "report.json")
    write(tmp_path / "outside" / "in.txt")
    (plain / "dirlink").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert select(plain, AllFiles(), ("report.json",)) == ["a.txt"]
    assert select(plain, GivenFiles((".", "deep", "my-env"), cwd=plain)) == ["a.txt", "report.json"]


# --- end to end ---------------------------------------------------------------------------


def test_fast_run_leaves_an_unignored_venv_alone(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11: `crackjack --fast` rewrote 137 files of an un-ignored `python -m venv .venv`."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(repo / ".venv")], check=True)
    write(repo / ".venv" / "lib" / "dirty.py", DIRTY)
    write(repo / ".venv" / "lib" / "compiled.pyc", b"\x00\x01 \n")
    write(repo / "a.txt", DIRTY)
    before = snapshot(repo / ".venv")
    result = run_cli(["--fast"], repo, monkeypatch, capsys)
    assert result.code == 1
    assert "a.txt" in result.out
    assert ".venv" not in result.out
    assert snapshot(repo / ".venv") == before
    assert (repo / "a.txt").read_bytes() == b"trailing\nno final newline\n"


def test_a_given_path_through_a_symlinked_folder_writes_nothing_outside(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12 point 3: `ln -s ../outside dirlink; git add dirlink; crackjack --fast
    dirlink/in.txt` stripped whitespace in ../outside/in.txt."""
    outside = write(tmp_path / "outside" / "in.txt", DIRTY).parent
    (repo / "dirlink").symlink_to("../outside", target_is_directory=True)
    run_git(repo, "add", "dirlink")
    for args in (["dirlink/in.txt"], ["dirlink"], ["--all-files"], ["--staged"]):
        result = run_cli(["--fast", *args], repo, monkeypatch, capsys)
        assert result.code == 0, result.out
    assert snapshot(outside) == {"in.txt": DIRTY}


def test_a_path_that_does_not_exist_is_an_error_naming_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "a.py", "x = 1\n")
    result = run_cli(["--fast", "a.py", "nosuchfile.py"], repo, monkeypatch, capsys)
    assert result.code == 2
    assert result.err.strip() == "crackjack: no such file or folder: 'nosuchfile.py'"
    assert "== " not in result.out


def test_own_outputs_are_left_out_in_this_run_and_later_ones(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = dict.fromkeys(("out/report.json", "junit.xml", "events.jsonl"), DIRTY)
    make_project(repo, {"a.txt": "ok\n", **outputs})
    commit_all(repo)
    flags = ["--report", "out/report.json", "--junit", "junit.xml", "--events", "events.jsonl"]
    first = run_cli(["--fast", *flags], repo, monkeypatch, capsys)
    assert first.code == 0, first.out
    report = json.loads((repo / "out" / "report.json").read_text())
    files = {hook["hook"]: hook["files"] for hook in report["phases"][0]["hooks"]}
    assert files["trailing-whitespace"] == 2, "a.txt and pyproject.toml, not the outputs"
    record = json.loads((repo / ".git" / "crackjack" / RECORD).read_text())
    assert record == {"paths": ["events.jsonl", "junit.xml", "out/report.json"]}
    written = snapshot(repo / "out") | {"junit": (repo / "junit.xml").read_bytes()}
    for later in (["--fast"], ["--fast", "out/report.json", "junit.xml", "a.txt"]):
        result = run_cli(later, repo, monkeypatch, capsys)
        assert result.code == 0, result.out
        assert snapshot(repo / "out") | {"junit": (repo / "junit.xml").read_bytes()} == written


def test_the_record_merges_ignores_corrupt_content_and_forgets_what_is_gone(repo: Path) -> None:
    tree = work_tree_or_none(repo)
    assert tree is not None
    record = repo / ".git" / "crackjack" / RECORD
    write(repo / "sub" / "a.json")
    write(repo / "b.xml")
    remember_outputs(tree, [repo / "sub" / "a.json", repo.parent / "outside.json"])
    remember_outputs(tree, [repo / "b.xml"])
    assert json.loads(record.read_text()) == {"paths": ["b.xml", "sub/a.json"]}
    assert own_outputs(repo / "sub", tree, []) == {"a.json"}
    (repo / "b.xml").unlink()
    assert own_outputs(repo, tree, []) == {"sub/a.json"}
    remember_outputs(tree, [])
    assert json.loads(record.read_text()) == {"paths": ["sub/a.json"]}
    for corrupt in (b"\xff", b"[1]", b'{"paths": 3}', b'{"paths": [3, "", "/etc/passwd"]}'):
        record.write_bytes(corrupt)
        assert own_outputs(repo, tree, []) == frozenset()
    assert own_outputs(repo, None, [repo / "x.json", repo.parent / "y"]) == {"x.json"}
    remember_outputs(None, [repo / "x.json"])


@pytest.mark.slow
def test_fast_run_leaves_a_real_venv_with_pip_alone(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's repro as it was found: `python -m venv .venv` (with pip), not ignored."""
    subprocess.run([sys.executable, "-m", "venv", str(repo / ".venv")], check=True)
    write(repo / "a.txt", "ok\n")
    before = snapshot(repo / ".venv")
    result = run_cli(["--fast"], repo, monkeypatch, capsys)
    assert result.code == 0, result.out
    assert snapshot(repo / ".venv") == before
