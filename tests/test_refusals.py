from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crackjack.core.errors import RepositoryStateError
from crackjack.core.git import commands as git
from crackjack.core.git.refusals import check_repository, refuse_unmerged
from crackjack.core.git.worktree import NotARepositoryError, WorkTree, find_work_tree
from tests.gitrepo import commit_all, run_git, write


def _top(tree: WorkTree | None) -> Path | None:
    return None if tree is None else tree.top


def _conflict(repo: Path, *names: str) -> None:
    """Leave ``names`` unmerged: both branches changed them differently."""
    for name in names:
        write(repo / name, "base\n")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "other")
    for name in names:
        write(repo / name, "other\n")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "main")
    for name in names:
        write(repo / name, "main\n")
    commit_all(repo)
    with pytest.raises(subprocess.CalledProcessError):
        run_git(repo, "merge", "-q", "other")


def test_a_work_tree_gives_its_top(repo: Path) -> None:
    sub = write(repo / "sub" / "a.py").parent
    top = repo.resolve()
    assert _top(check_repository(repo, need_repo=True)) == top
    assert _top(check_repository(sub, need_repo=False)) == top
    assert find_work_tree(sub / "not-yet" / "there.py").top == top


def test_outside_a_repository(plain: Path) -> None:
    assert check_repository(plain, need_repo=False) is None
    with pytest.raises(NotARepositoryError, match=r"^not a git repository: .*plain; run") as info:
        check_repository(plain, need_repo=True)
    assert isinstance(info.value, RepositoryStateError)
    with pytest.raises(NotARepositoryError, match="not a git repository"):
        find_work_tree(plain)


def test_without_git(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert check_repository(repo, need_repo=False) is None
    with pytest.raises(git.GitNotFoundError, match="is git installed"):
        check_repository(repo, need_repo=True)


@pytest.mark.parametrize("need_repo", [True, False])
def test_unmerged_paths_are_refused(repo: Path, need_repo: bool) -> None:
    _conflict(repo, "conflict.txt", "sub/new\nline.py")
    with pytest.raises(RepositoryStateError) as info:
        check_repository(repo / "sub", need_repo=need_repo)
    message = str(info.value)
    assert "unmerged paths in" in message
    assert "conflict.txt, sub/new\nline.py;" in message
    assert "resolve the conflicts first" in message
    assert _top(check_repository(repo, need_repo=need_repo, allow_unmerged=True)) == repo.resolve()


def test_unmerged_paths_once_resolved(repo: Path) -> None:
    _conflict(repo, "conflict.txt")
    write(repo / "conflict.txt", "resolved\n")
    run_git(repo, "add", "conflict.txt")
    assert _top(check_repository(repo, need_repo=True)) == repo.resolve()


def test_many_unmerged_paths_are_counted(repo: Path) -> None:
    names = [f"f{i:02d}.txt" for i in range(13)]
    _conflict(repo, *names)
    with pytest.raises(RepositoryStateError, match=r"f09\.txt and 3 more; resolve"):
        refuse_unmerged(find_work_tree(repo))


def test_unmerged_paths_under_a_custom_index(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _conflict(repo, "conflict.txt")
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "clean-index"))
    run_git(repo, "read-tree", "HEAD")
    refuse_unmerged(find_work_tree(repo))


@pytest.mark.parametrize("need_repo", [True, False])
def test_a_bare_repository_is_refused(tmp_path: Path, need_repo: bool) -> None:
    bare = tmp_path / "bare.git"
    run_git(tmp_path, "init", "-q", "--bare", str(bare))
    with pytest.raises(RepositoryStateError, match=r"bare\.git is a bare repository"):
        check_repository(bare, need_repo=need_repo)
    with pytest.raises(RepositoryStateError, match="bare repository"):
        check_repository(bare / "refs", need_repo=need_repo)


@pytest.mark.parametrize("inside", [".git", ".git/objects", ".git/refs/heads"])
@pytest.mark.parametrize("need_repo", [True, False])
def test_inside_dot_git_is_refused(repo: Path, inside: str, need_repo: bool) -> None:
    with pytest.raises(RepositoryStateError, match="is inside a git directory") as info:
        check_repository(repo / inside, need_repo=need_repo)
    assert not isinstance(info.value, NotARepositoryError)


def test_a_linked_worktree(repo: Path, tmp_path: Path) -> None:
    write(repo / "a.py")
    commit_all(repo)
    linked = tmp_path / "linked"
    run_git(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    assert _top(check_repository(linked, need_repo=True)) == linked.resolve()
    with pytest.raises(RepositoryStateError, match="inside a git directory"):
        check_repository(repo / ".git" / "worktrees" / "linked", need_repo=True)


def test_git_environment_of_a_hook(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hooks may get GIT_DIR and GIT_WORK_TREE; they still name the work tree."""
    write(repo / "sub" / "a.py")
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))
    assert _top(check_repository(repo / "sub", need_repo=True)) == repo.resolve()
