from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.files import selection as files
from crackjack.core.git import commands as git
from crackjack.core.git.worktree import work_tree_or_none
from tests.gitrepo import commit_all, make_repo, write


@pytest.fixture(autouse=True)
def _git_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def test_discover_in_a_repo_uses_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / ".gitignore", "build/\n")
    write(repo / "a.py")
    commit_all(repo)
    write(repo / "build" / "out.py")
    write(repo / "venv" / "tracked-on-purpose.py")
    assert files.discover(repo, work_tree_or_none(repo)) == [
        ".gitignore",
        "a.py",
        "venv/tracked-on-purpose.py",
    ]
    assert files.discover(repo, work_tree_or_none(repo)) == git.list_files(repo)


IGNORED_DIRS = sorted(files.SKIPPED_DIRS)


def test_walk_skips_common_ignores(plain: Path) -> None:
    for name in IGNORED_DIRS:
        write(plain / name / "skipped.py")
        write(plain / "deep" / name / "skipped.py")
    write(plain / "pkg.egg-info" / "PKG-INFO")
    write(plain / "a.py")
    write(plain / "deep" / "b.py")
    write(plain / "build.py")
    write(plain / "files" / "dist")
    write(plain / "files" / "venv")
    assert files.discover(plain, work_tree_or_none(plain)) == [
        "a.py",
        "build.py",
        "deep/b.py",
        "files/dist",
        "files/venv",
    ]


def test_walk_skips_virtualenvs_by_any_name(plain: Path) -> None:
    write(plain / "my-env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(plain / "my-env" / "lib" / "site.py")
    write(plain / "tools" / "env311" / "pyvenv.cfg")
    write(plain / "tools" / "run.py")
    assert files.discover(plain, work_tree_or_none(plain)) == ["tools/run.py"]


def test_walk_leaves_symlinks_out_and_never_follows_them(plain: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "secret.py")
    write(plain / "real.py")
    (plain / "dirlink").symlink_to(outside, target_is_directory=True)
    (plain / "filelink.py").symlink_to("real.py")
    (plain / "dangling").symlink_to("nowhere")
    assert files.discover(plain, work_tree_or_none(plain)) == ["real.py"]


def test_walk_paths_are_relative_posix_and_sorted(plain: Path) -> None:
    for name in ["z.py", "a b/ü.py", "a b/c/new\nline", "-dash"]:
        write(plain / name)
    assert files.discover(plain, work_tree_or_none(plain)) == sorted(
        ["z.py", "a b/ü.py", "a b/c/new\nline", "-dash"]
    )


def test_walk_of_an_empty_directory(plain: Path) -> None:
    (plain / "empty").mkdir()
    assert files.discover(plain, work_tree_or_none(plain)) == []


def test_discover_without_git_walks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "a.py")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert files.discover(repo, work_tree_or_none(repo)) == ["a.py"]
