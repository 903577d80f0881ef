from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from crackjack.core.errors import CrackjackError
from crackjack.core.files.selection import discover
from crackjack.core.git import commands as git
from crackjack.core.git.worktree import (
    RECOVERY_REF,
    find_work_tree,
    work_tree_or_none,
)
from crackjack.core.process.run import ProcessOutcome, ProcessRequest
from tests.gitrepo import commit_all, make_repo, run_git, write


def _without_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_git_returns_stdout(repo: Path) -> None:
    assert git.git("rev-parse", "--is-inside-work-tree", cwd=repo) == b"true\n"


def test_git_failure_names_the_command_and_stderr(repo: Path) -> None:
    with pytest.raises(git.GitError) as info:
        git.git("rev-parse", "--verify", "--quiet", "no such ref", cwd=repo)
    assert "git rev-parse --verify --quiet 'no such ref' exited 1" in str(info.value)
    assert isinstance(info.value, CrackjackError)


def test_git_failure_message_has_first_stderr_line(repo: Path) -> None:
    with pytest.raises(git.GitError, match=r"exited 128: fatal: "):
        git.git("show", "nope", cwd=repo)


def test_git_missing_binary(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_git(monkeypatch, tmp_path)
    with pytest.raises(git.GitNotFoundError, match="is git installed"):
        git.git("status", cwd=repo)


def test_git_cwd_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(git.GitError, match="not a directory"):
        git.git("status", cwd=tmp_path / "missing")


def test_the_work_tree_from_anywhere_inside(repo: Path) -> None:
    top = repo.resolve()
    sub = write(repo / "a" / "b" / "c.txt").parent
    for where in (repo, sub, sub / "c.txt", sub / "not-yet" / "there.py"):
        tree = find_work_tree(where)
        assert tree.top == top
        assert tree.git_dir == tree.common_dir == top / ".git"
        assert tree.index_file == top / ".git" / "index"
        assert tree.head is None
        assert tree.recovery_ref == RECOVERY_REF


def test_the_work_tree_knows_its_head_and_index(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "a.py")
    commit_all(repo)
    head = run_git(repo, "rev-parse", "HEAD").strip()
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "other-index"))
    tree = find_work_tree(repo)
    assert tree.head == head
    assert tree.index_file == tmp_path / "other-index"


def test_a_linked_worktree_has_its_own_git_dir_and_recovery_ref(repo: Path, tmp_path: Path) -> None:
    write(repo / "a.py")
    commit_all(repo)
    linked = tmp_path / "linked"
    run_git(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    tree = find_work_tree(linked)
    assert tree.top == linked.resolve()
    assert tree.git_dir == repo.resolve() / ".git" / "worktrees" / "linked"
    assert tree.common_dir == repo.resolve() / ".git"
    assert tree.head == run_git(repo, "rev-parse", "HEAD").strip()
    assert tree.recovery_ref.startswith(RECOVERY_REF + "-")
    assert tree.recovery_ref != find_work_tree(repo).recovery_ref


def test_no_work_tree_outside_a_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    assert work_tree_or_none(plain) is None


def test_no_work_tree_without_git(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_git(monkeypatch, tmp_path)
    assert work_tree_or_none(repo) is None


@pytest.mark.parametrize("commits", [0, 1])
def test_an_index_file_with_a_line_break_in_its_name(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commits: int
) -> None:
    """One line more in git's answer: it is asked again one question at a time."""
    write(repo / "a.py")
    if commits:
        commit_all(repo)
    index = tmp_path / "odd\nindex"
    monkeypatch.setenv("GIT_INDEX_FILE", str(index))
    tree = find_work_tree(repo)
    assert tree.index_file == index
    assert tree.top == repo.resolve()
    assert (tree.head is None) == (commits == 0)


@pytest.mark.parametrize("name", ["we ird\nna-me é", "new\nline", "ends\n", "\n/starts"])
def test_the_work_tree_with_a_line_break_in_its_path(tmp_path: Path, name: str) -> None:
    repo = make_repo(tmp_path / name)
    write(repo / "a.py")
    commit_all(repo)
    tree = find_work_tree(repo)
    assert tree.top == repo.resolve()
    assert tree.git_dir == tree.common_dir == repo.resolve() / ".git"
    assert tree.index_file == repo.resolve() / ".git" / "index"
    assert tree.head == run_git(repo, "rev-parse", "HEAD").strip()


def test_list_files_tracked_untracked_ignored_deleted_staged(repo: Path) -> None:
    write(repo / ".gitignore", "*.log\nignored/\n")
    write(repo / "kept.py")
    write(repo / "gone.py")
    write(repo / "src" / "mod.py")
    commit_all(repo)
    (repo / "gone.py").unlink()
    write(repo / "staged.py")
    run_git(repo, "add", "staged.py")
    write(repo / "untracked.txt")
    write(repo / "debug.log")
    write(repo / "ignored" / "x.py")
    listed = [".gitignore", "kept.py", "src/mod.py", "staged.py", "untracked.txt"]
    assert git.list_files(repo) == sorted([*listed, "gone.py"])  # git still knows it
    assert discover(repo, find_work_tree(repo)) == listed  # the selection's look drops it


def test_list_files_odd_names(repo: Path) -> None:
    names = ["with space.py", "ünïcödé.py", "new\nline.py", "-leading-dash.py", 'quo"te.py']
    for name in names:
        write(repo / name)
    run_git(repo, "config", "core.quotepath", "true")
    commit_all(repo)
    write(repo / "untracked ü\n.txt")
    assert git.list_files(repo) == sorted([*names, "untracked ü\n.txt"])


def test_list_files_non_utf8_name(repo: Path) -> None:
    raw = os.fsdecode(b"caf\xe9.txt")
    write(repo / raw)
    assert git.list_files(repo) == [raw]
    assert os.path.exists(repo / git.list_files(repo)[0])


def test_list_files_is_relative_to_a_subdirectory(repo: Path) -> None:
    write(repo / "top.py")
    write(repo / "sub" / "a.py")
    write(repo / "sub" / "deeper" / "b.py")
    commit_all(repo)
    write(repo / "sub" / "new.py")
    assert git.list_files(repo / "sub") == ["a.py", "deeper/b.py", "new.py"]


def test_list_files_dedupes_unmerged_paths(repo: Path) -> None:
    write(repo / "conflict.txt", "base\n")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "other")
    write(repo / "conflict.txt", "other\n")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "main")
    write(repo / "conflict.txt", "main\n")
    commit_all(repo)
    with pytest.raises(subprocess.CalledProcessError):
        run_git(repo, "merge", "-q", "other")
    raw = git.git("ls-files", "-z", "--cached", cwd=repo).split(b"\0")
    assert raw.count(b"conflict.txt") > 1
    assert git.list_files(repo) == ["conflict.txt"]


def test_list_files_keeps_gitlinks_and_nested_repos_as_paths(repo: Path) -> None:
    inner = make_repo(repo / "sub")
    write(inner / "inside.py")
    commit_all(inner)
    run_git(repo, "add", "sub")
    commit_all(repo)
    nested = make_repo(repo / "nested")
    write(nested / "n.py")
    write(repo / "top.py")
    assert git.list_files(repo) == ["nested", "sub", "top.py"]


def test_list_files_keeps_symlinks(repo: Path) -> None:
    write(repo / "target.py")
    (repo / "link.py").symlink_to("target.py")
    (repo / "dangling").symlink_to("nowhere")
    assert git.list_files(repo) == ["dangling", "link.py", "target.py"]


def test_list_files_empty_repo(repo: Path) -> None:
    assert git.list_files(repo) == []


def test_git_killed_by_a_signal(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(request: ProcessRequest) -> ProcessOutcome:
        return ProcessOutcome(
            returncode=-9,
            output=b"",
            stderr=b"",
            total_bytes=0,
            spilled_to=None,
            timed_out=False,
            cancelled=False,
            start_error=None,
        )

    monkeypatch.setattr(git, "run_process", killed)
    with pytest.raises(git.GitError, match=r"^git status was killed by signal 9$"):
        git.git("status", cwd=repo)
