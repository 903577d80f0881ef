from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from crackjack.core.errors import CrackjackError
from crackjack.core.git import commands as git
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


def test_repo_root_from_anywhere_inside(repo: Path) -> None:
    top = repo.resolve()
    sub = write(repo / "a" / "b" / "c.txt").parent
    assert git.repo_root(repo) == top
    assert git.repo_root(sub) == top
    assert git.repo_root(sub / "c.txt") == top
    assert git.repo_root(sub / "not-yet" / "there.py") == top


def test_repo_root_outside_a_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    assert git.repo_root(plain) is None


def test_repo_root_inside_dot_git_and_bare(repo: Path, tmp_path: Path) -> None:
    assert git.repo_root(repo / ".git") is None
    bare = tmp_path / "bare.git"
    run_git(tmp_path, "init", "-q", "--bare", str(bare))
    assert git.repo_root(bare) is None


def test_repo_root_without_git(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_git(monkeypatch, tmp_path)
    assert git.repo_root(repo) is None


def test_repo_root_with_odd_directory_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "we ird\nna-me é")
    assert git.repo_root(repo) == repo.resolve()


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
    assert git.list_files(repo) == [
        ".gitignore",
        "kept.py",
        "src/mod.py",
        "staged.py",
        "untracked.txt",
    ]


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
