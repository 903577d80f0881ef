"""One ``git status`` for the staged files and the unstaged changes: what it reports, that user
configuration does not change it, and that its kept staged part follows every change of the
index, ``HEAD`` and the index file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crackjack.core.git.status import Unstaged, staged_files, staged_paths, working_state
from crackjack.core.git.worktree import WorkTree, find_work_tree
from tests.gitrepo import commit_all, make_repo, run_git, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    for name in ("both.py", "staged.py", "unstaged.py", "gone.py", "sub/deep.py", "empty"):
        write(root / name, "" if name == "empty" else f"{name}\n")
    commit_all(root)
    write(root / "both.py", "staged\n")
    write(root / "staged.py", "staged\n")
    write(root / "new.py", "new\n")
    write(root / "sub/deep.py", "staged\n")
    run_git(root, "add", "both.py", "staged.py", "new.py", "sub/deep.py")
    write(root / "both.py", "unstaged\n")
    write(root / "unstaged.py", "unstaged\n")
    (root / "gone.py").unlink()
    (root / "empty").unlink()
    write(root / "ita.py", "intent\n")
    run_git(root, "add", "-N", "ita.py")
    write(root / "untracked.py", "untracked\n")
    return root


def test_status_reports_the_staged_and_the_unstaged_paths(repo: Path) -> None:
    state = working_state(find_work_tree(repo))
    assert state.staged == ("both.py", "new.py", "staged.py", "sub/deep.py")
    assert [(change.path, change.status) for change in state.unstaged] == [
        ("both.py", "M"),
        ("empty", "D"),
        ("gone.py", "D"),
        ("ita.py", "A"),
        ("unstaged.py", "M"),
    ]
    empty = next(change for change in state.unstaged if change.path == "empty")
    assert empty == Unstaged("empty", "D", "100644", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")


@pytest.mark.parametrize(
    "setting",
    [
        "status.branch=true",
        "status.showStash=true",
        "status.showUntrackedFiles=all",
        "status.renames=copies",
        "diff.renames=copies",
        "status.relativePaths=false",
        "diff.ignoreSubmodules=all",
    ],
)
def test_user_configuration_does_not_change_the_answer(repo: Path, setting: str) -> None:
    tree = find_work_tree(repo)
    expected = working_state(tree)
    name, value = setting.split("=")
    run_git(repo, "config", name, value)
    run_git(repo, "mv", "staged.py", "renamed.py")
    renamed = working_state(tree)
    assert renamed.unstaged == expected.unstaged
    assert renamed.staged == ("both.py", "new.py", "renamed.py", "sub/deep.py")


def test_the_first_commit_stages_everything_in_the_index(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "new")
    write(root / "a.py")
    write(root / "b/c.py")
    run_git(root, "add", "-A")
    assert working_state(find_work_tree(root)).staged == ("a.py", "b/c.py")


def test_submodules_are_neither_hidden_nor_dropped_from_the_staged_list(tmp_path: Path) -> None:
    inner = make_repo(tmp_path / "inner")
    write(inner / "f.txt")
    commit_all(inner)
    root = make_repo(tmp_path / "outer")
    run_git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "mod")
    write(root / "mod" / "f.txt", "dirty\n")
    state = working_state(find_work_tree(root))
    assert state.staged == (".gitmodules", "mod")
    assert state.unstaged == ()


def test_staged_files_under_a_folder_are_relative_to_it_and_exist(repo: Path) -> None:
    tree = find_work_tree(repo)
    assert staged_files(tree, repo / "sub") == ["deep.py"]
    (repo / "new.py").unlink()
    assert staged_files(tree, repo) == ["both.py", "staged.py", "sub/deep.py"]


def _git_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = tmp_path / "no-git"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "git"
    fake.write_text("#!/bin/sh\nexit 97\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_the_staged_list_is_kept_while_the_index_is_unchanged(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = find_work_tree(repo)
    asked = working_state(tree).staged
    write(repo / "unstaged.py", "the work tree changes, not the index\n")
    with monkeypatch.context() as no_git:
        _git_fails(no_git, tmp_path)
        assert staged_paths(tree) == asked


def test_a_change_of_the_index_is_seen(repo: Path) -> None:
    tree = find_work_tree(repo)
    working_state(tree)
    run_git(repo, "add", "unstaged.py")
    assert "unstaged.py" in staged_paths(tree)


def test_a_change_of_head_is_seen(repo: Path) -> None:
    tree = find_work_tree(repo)
    working_state(tree)
    run_git(repo, "commit", "-q", "-m", "staged")
    assert staged_paths(find_work_tree(repo)) == ()


def test_another_index_file_is_seen(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = find_work_tree(repo)
    working_state(tree)
    other = tmp_path / "other-index"
    other.write_bytes((repo / ".git" / "index").read_bytes())
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    run_git(repo, "add", "unstaged.py")
    other_tree = find_work_tree(repo)
    assert other_tree.index_file == other
    assert "unstaged.py" in staged_paths(other_tree)
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert "unstaged.py" not in staged_paths(tree)


def test_without_an_index_nothing_is_kept(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "new")
    tree = find_work_tree(root)
    assert working_state(tree).staged == ()
    write(root / "a.py")
    run_git(root, "add", "a.py")
    assert staged_paths(WorkTree(tree.top, tree.git_dir, tree.common_dir, tree.index_file, None))
