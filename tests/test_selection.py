from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from crackjack.core.errors import ConfigError, RepositoryStateError
from crackjack.core.files import selection as files
from crackjack.core.files.selection import (
    AllFiles,
    ChangedFiles,
    FileSelection,
    GivenFiles,
    StagedFiles,
    select_files,
)
from crackjack.core.git import commands as git
from crackjack.core.git.worktree import NotARepositoryError, work_tree_or_none
from tests.gitrepo import commit_all, run_git, write

ODD_NAMES = [
    "with space.py",
    "ünïcödé.py",
    "new\nline.py",
    "-leading-dash.py",
    'quo"te.py',
    "tab\there.py",
    "[ab].py",
    "star*.py",
    ":(glob)magic.py",
    "dir with space/-x.py",
]


def select(root: Path, selection: FileSelection) -> list[str]:
    return select_files(root, selection, work_tree_or_none(root))


def given(root: Path, *paths: str, cwd: Path | None = None) -> list[str]:
    selection = GivenFiles(paths=paths, cwd=root if cwd is None else cwd)
    return select_files(root, selection, work_tree_or_none(root))


# all files


def test_all_files_is_discover(repo: Path, plain: Path) -> None:
    write(repo / ".gitignore", "*.log\n")
    write(repo / "a.py")
    write(repo / "x.log")
    commit_all(repo)
    write(repo / "new.py")
    write(plain / "b.py")
    assert (
        select(repo, AllFiles())
        == files.discover(repo, work_tree_or_none(repo))
        == [".gitignore", "a.py", "new.py"]
    )
    assert select(plain, AllFiles()) == ["b.py"]


# staged


def test_staged_is_what_the_commit_changes(repo: Path) -> None:
    for name in ["modified.py", "deleted.py", "renamed.py", "unstaged.py", "kept.py"]:
        write(repo / name, f"{name}\n")
    (repo / "typed").symlink_to("kept.py")
    commit_all(repo)
    write(repo / "modified.py", "changed\n")
    write(repo / "added.py")
    write(repo / "copy.py", "kept.py\n")
    run_git(repo, "rm", "-q", "deleted.py")
    run_git(repo, "mv", "renamed.py", "new-name.py")
    (repo / "typed").unlink()
    write(repo / "typed", "a file now\n")
    run_git(repo, "add", "modified.py", "added.py", "copy.py", "typed")
    write(repo / "unstaged.py", "changed, not staged\n")
    write(repo / "untracked.py")
    run_git(repo, "config", "diff.renames", "copies")
    assert select(repo, StagedFiles()) == [
        "added.py",
        "copy.py",
        "modified.py",
        "new-name.py",
        "typed",
    ]


def test_staged_leaves_out_files_deleted_from_the_work_tree(repo: Path) -> None:
    write(repo / "a.py")
    write(repo / "b.py")
    run_git(repo, "add", "a.py", "b.py")
    (repo / "b.py").unlink()
    assert select(repo, StagedFiles()) == ["a.py"]


def test_staged_in_an_empty_repository(repo: Path) -> None:
    assert select(repo, StagedFiles()) == []
    write(repo / "first.py")
    write(repo / "sub" / "second.py")
    write(repo / "untracked.py")
    run_git(repo, "add", "first.py", "sub")
    assert select(repo, StagedFiles()) == ["first.py", "sub/second.py"]


def test_staged_odd_names(repo: Path) -> None:
    write(repo / "base.py")
    commit_all(repo)
    for name in ODD_NAMES:
        write(repo / name)
    run_git(repo, "add", "-A")
    run_git(repo, "config", "core.quotepath", "true")
    assert select(repo, StagedFiles()) == sorted(ODD_NAMES)


def test_staged_non_utf8_name(repo: Path) -> None:
    raw = os.fsdecode(b"caf\xe9.py")
    write(repo / raw)
    run_git(repo, "add", "-A")
    assert select(repo, StagedFiles()) == [raw]


USER_CONFIG = {
    "core.quotepath": "true",
    "color.ui": "always",
    "color.diff": "always",
    "diff.external": "false",
    "diff.renames": "copies",
    "diff.relative": "false",
    "diff.noprefix": "true",
    "diff.mnemonicPrefix": "true",
    "diff.ignoreSubmodules": "all",
    "diff.orderFile": "order.txt",
    "diff.autoRefreshIndex": "true",
    "status.relativePaths": "false",
}


def test_selection_is_immune_to_user_config(repo: Path) -> None:
    write(repo / "order.txt", "z.py\n")
    write(repo / "gone.py")
    write(repo / "a.py")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "feature")
    for key, value in USER_CONFIG.items():
        run_git(repo, "config", key, value)
    write(repo / "sub" / "z.py", "z\n")
    write(repo / "sub" / "ä.py", "a\n")
    write(repo / ".gitattributes", "*.py diff=shout\n")
    run_git(repo, "config", "diff.shout.textconv", "false")
    run_git(repo, "mv", "a.py", "sub/moved.py")
    run_git(repo, "rm", "-q", "gone.py")
    run_git(repo, "add", "-A")
    expected = [".gitattributes", "sub/moved.py", "sub/z.py", "sub/ä.py"]
    assert select(repo, StagedFiles()) == expected
    assert select(repo, ChangedFiles("main")) == expected
    assert select(repo / "sub", StagedFiles()) == ["moved.py", "z.py", "ä.py"]


def test_staged_under_a_subdirectory_root(repo: Path) -> None:
    write(repo / "top.py")
    write(repo / "sub" / "a.py")
    write(repo / "sub" / "deeper" / "b.py")
    write(repo / "subway.py")
    run_git(repo, "add", "-A")
    assert select(repo / "sub", StagedFiles()) == ["a.py", "deeper/b.py"]


def test_staged_honours_git_index_file(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "a.py", "a\n")
    write(repo / "sub" / "b.py", "b\n")
    commit_all(repo)
    write(repo / "a.py", "changed\n")
    write(repo / "sub" / "b.py", "changed\n")
    write(repo / "c.py")
    run_git(repo, "add", "c.py")
    index = tmp_path / "temporary-index"
    monkeypatch.setenv("GIT_INDEX_FILE", str(index))
    run_git(repo, "read-tree", "HEAD")
    run_git(repo, "update-index", "--", "a.py", "sub/b.py")
    assert select(repo, StagedFiles()) == ["a.py", "sub/b.py"]
    assert select(repo / "sub", StagedFiles()) == ["b.py"]
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert select(repo, StagedFiles()) == ["c.py"]


def test_staged_honours_a_relative_git_index_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git reads a relative GIT_INDEX_FILE from the top of the work tree, as hooks get it."""
    write(repo / "sub" / "b.py", "b\n")
    commit_all(repo)
    write(repo / "sub" / "b.py", "changed\n")
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/other-index")
    run_git(repo, "read-tree", "HEAD")
    run_git(repo, "update-index", "--", "sub/b.py")
    assert (repo / ".git" / "other-index").is_file()
    assert select(repo / "sub", StagedFiles()) == ["b.py"]


def test_ten_thousand_staged_changed_or_given_files(repo: Path) -> None:
    """Correctness at scale; how fast is bench/'s question, never a timing assert."""
    write(repo / "README.md")
    commit_all(repo)
    names = [f"pkg{i % 100:02d}/module {i:05d}.py" for i in range(10_000)]
    for name in names:
        write(repo / name, f"x = {name!r}\n")
    run_git(repo, "add", "-A")
    for selection in (StagedFiles(), ChangedFiles(), GivenFiles(paths=tuple(names), cwd=repo)):
        assert select(repo, selection) == sorted(names)


@pytest.mark.parametrize("selection", [StagedFiles(), ChangedFiles(), ChangedFiles("main")])
def test_staged_and_changed_need_a_repository(plain: Path, selection: FileSelection) -> None:
    write(plain / "a.py")
    with pytest.raises(NotARepositoryError, match="not a git repository") as info:
        select(plain, selection)
    assert isinstance(info.value, RepositoryStateError)


# changed since the merge base


def _forked(repo: Path) -> Path:
    """main: base files; feature: forked, then main moves on; the feature work tree is busy."""
    write(repo / ".gitignore", "*.log\n")
    for name in ["staged.py", "unstaged.py", "gone.py", "same.py", "touched.py"]:
        write(repo / name, f"{name}\n")
    commit_all(repo, "base")
    run_git(repo, "checkout", "-q", "-b", "feature")
    write(repo / "committed.py")
    commit_all(repo, "feature work")
    run_git(repo, "checkout", "-q", "main")
    write(repo / "main-only.py")
    write(repo / "same.py", "changed on main\n")
    commit_all(repo, "main moves on")
    run_git(repo, "checkout", "-q", "feature")
    write(repo / "staged.py", "changed\n")
    run_git(repo, "add", "staged.py")
    write(repo / "unstaged.py", "changed\n")
    (repo / "gone.py").unlink()
    write(repo / "untracked.py")
    write(repo / "debug.log")
    future = time.time() + 100
    os.utime(repo / "touched.py", (future, future))
    return repo


CHANGED_ON_FEATURE = ["committed.py", "staged.py", "unstaged.py", "untracked.py"]


def test_changed_since_main_by_default(repo: Path) -> None:
    _forked(repo)
    assert select(repo, ChangedFiles()) == CHANGED_ON_FEATURE
    assert select(repo, ChangedFiles("main")) == CHANGED_ON_FEATURE


def test_changed_prefers_the_upstream(repo: Path) -> None:
    _forked(repo)
    run_git(repo, "branch", "upstream-base", "feature")
    run_git(repo, "branch", "--set-upstream-to=upstream-base", "feature")
    assert select(repo, ChangedFiles()) == ["staged.py", "unstaged.py", "untracked.py"]


def test_changed_falls_back_to_master(repo: Path) -> None:
    _forked(repo)
    run_git(repo, "branch", "-m", "main", "master")
    run_git(repo, "branch", "-f", "master", "feature~1")
    assert select(repo, ChangedFiles()) == CHANGED_ON_FEATURE


def test_changed_with_no_default_base(repo: Path) -> None:
    _forked(repo)
    run_git(repo, "branch", "-m", "main", "trunk")
    with pytest.raises(ConfigError, match=r"no upstream and there is no 'main' or 'master'"):
        select(repo, ChangedFiles())
    assert select(repo, ChangedFiles("trunk")) == CHANGED_ON_FEATURE


@pytest.mark.parametrize("ref", ["no-such-branch", "origin/main", "-x", "--all", ""])
def test_changed_with_a_bad_ref_names_it(repo: Path, ref: str) -> None:
    _forked(repo)
    with pytest.raises(ConfigError, match=re.escape(repr(ref))):
        select(repo, ChangedFiles(ref))


def test_changed_with_unrelated_histories(repo: Path) -> None:
    _forked(repo)
    run_git(repo, "stash", "-q", "--include-untracked")
    run_git(repo, "checkout", "-q", "--orphan", "island")
    run_git(repo, "rm", "-rq", "--cached", ".")
    commit_all(repo, "unrelated")
    with pytest.raises(ConfigError, match=r"HEAD and 'main' have no common history"):
        select(repo, ChangedFiles())


def test_changed_accepts_any_commit_name(repo: Path) -> None:
    _forked(repo)
    commit = run_git(repo, "rev-parse", "feature~1").strip()
    run_git(repo, "tag", "v1", "feature")
    assert select(repo, ChangedFiles(commit)) == CHANGED_ON_FEATURE
    assert select(repo, ChangedFiles("v1")) == ["staged.py", "unstaged.py", "untracked.py"]
    assert select(repo, ChangedFiles("HEAD")) == ["staged.py", "unstaged.py", "untracked.py"]


def test_changed_in_an_empty_repository(repo: Path) -> None:
    assert select(repo, ChangedFiles()) == []
    write(repo / "staged.py")
    run_git(repo, "add", "staged.py")
    write(repo / "untracked.py")
    assert select(repo, ChangedFiles()) == ["staged.py", "untracked.py"]
    with pytest.raises(ConfigError, match="'main' names no commit"):
        select(repo, ChangedFiles("main"))


def test_changed_odd_names(repo: Path) -> None:
    write(repo / "base.py")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "feature")
    committed, untracked = ODD_NAMES[::2], ODD_NAMES[1::2]
    for name in ODD_NAMES:
        write(repo / name)
    run_git(repo, "--literal-pathspecs", "add", "--", *committed)
    commit_all(repo)
    for name in untracked:
        write(repo / name)
    run_git(repo, "config", "core.quotepath", "true")
    assert select(repo, ChangedFiles()) == sorted(ODD_NAMES)


def test_changed_under_a_subdirectory_root(repo: Path) -> None:
    write(repo / "sub" / "old.py")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "feature")
    write(repo / "top.py")
    write(repo / "sub" / "new.py")
    write(repo / "sub" / "old.py", "changed\n")
    assert select(repo / "sub", ChangedFiles()) == ["new.py", "old.py"]


# given paths


def test_given_paths_are_normalised_deduplicated_and_sorted(repo: Path) -> None:
    write(repo / "a.py")
    write(repo / "sub" / "b.py")
    assert given(repo, "./a.py", "sub/../a.py", str(repo / "sub" / "b.py"), "sub//b.py") == [
        "a.py",
        "sub/b.py",
    ]


def test_given_paths_relative_to_cwd(repo: Path) -> None:
    write(repo / "a.py")
    write(repo / "sub" / "b.py")
    assert given(repo, "b.py", "../a.py", cwd=repo / "sub") == ["a.py", "sub/b.py"]


def test_given_paths_default_to_the_current_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "sub" / "b.py")
    monkeypatch.chdir(repo / "sub")
    assert select(repo, GivenFiles(paths=("b.py",))) == ["sub/b.py"]


@pytest.mark.parametrize("missing", ["deleted.py", "no/such/dir/x.py", "a.py/x"])
def test_given_paths_that_do_not_exist_are_refused_by_name(repo: Path, missing: str) -> None:
    write(repo / "a.py")
    with pytest.raises(ConfigError, match=re.escape(f"no such file or folder: {missing!r}")):
        given(repo, "a.py", missing)


def test_given_symlinks_and_empty_paths_are_left_out(repo: Path) -> None:
    write(repo / "a.py")
    (repo / "dangling").symlink_to("nowhere")
    (repo / "link.py").symlink_to("a.py")
    assert given(repo, "a.py", "dangling", "link.py", "") == ["a.py"]


def test_given_files_are_kept_even_when_ignored_or_untracked(repo: Path) -> None:
    write(repo / ".gitignore", "*.log\n")
    write(repo / "debug.log")
    write(repo / "untracked.py")
    assert given(repo, "debug.log", "untracked.py") == ["debug.log", "untracked.py"]


def test_given_folders_expand_to_tracked_and_untracked_not_ignored(repo: Path) -> None:
    write(repo / ".gitignore", "*.log\n")
    write(repo / "src" / "tracked.py")
    write(repo / "src" / "deep" / "tracked.py")
    write(repo / "other" / "tracked.py")
    commit_all(repo)
    write(repo / "src" / "untracked.py")
    write(repo / "src" / "debug.log")
    (repo / "src" / "deep" / "tracked.py").unlink()
    assert given(repo, "src", "other/") == [
        "other/tracked.py",
        "src/tracked.py",
        "src/untracked.py",
    ]


def test_given_root_folder_is_every_file(repo: Path) -> None:
    write(repo / "a.py")
    write(repo / "sub" / "b.py")
    assert given(repo, ".") == select(repo, AllFiles()) == ["a.py", "sub/b.py"]
    assert given(repo, str(repo)) == ["a.py", "sub/b.py"]


def test_given_folder_names_are_literal_not_patterns(repo: Path) -> None:
    write(repo / "[ab]" / "in-brackets.py")
    write(repo / "a" / "in-a.py")
    write(repo / "*" / "in-star.py")
    write(repo / ":(glob)x" / "in-magic.py")
    write(repo / "-dash" / "in-dash.py")
    assert given(repo, "[ab]") == ["[ab]/in-brackets.py"]
    assert given(repo, "*") == ["*/in-star.py"]
    assert given(repo, ":(glob)x") == [":(glob)x/in-magic.py"]
    assert given(repo, "-dash") == ["-dash/in-dash.py"]


def test_given_odd_names(repo: Path) -> None:
    for name in ODD_NAMES:
        write(repo / name)
    assert given(repo, *ODD_NAMES) == sorted(ODD_NAMES)
    assert given(repo, "dir with space") == ["dir with space/-x.py"]


def test_given_paths_through_a_symlinked_folder_are_left_out(repo: Path, tmp_path: Path) -> None:
    """Issue 12 point 3: nothing reached through a symlinked folder, so no write lands outside."""
    write(tmp_path / "outside" / "secret.py")
    (repo / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    (repo / "inner").symlink_to("src", target_is_directory=True)
    write(repo / "src" / "a.py")
    run_git(repo, "add", "link", "inner")
    assert given(repo, "link", "link/secret.py", "inner/a.py", "inner") == []
    assert given(repo, "link/", "link/.") == []


@pytest.mark.parametrize("path", ["../outside.py", "/etc/hostname", "sub/../../x.py"])
def test_given_paths_outside_the_root_are_refused(repo: Path, path: str) -> None:
    with pytest.raises(ConfigError, match=r"outside the project root"):
        given(repo, path)


def test_given_paths_under_a_subdirectory_root(repo: Path) -> None:
    write(repo / "backend" / "a.py")
    write(repo / "frontend" / "b.js")
    root = repo / "backend"
    assert given(root, "backend/a.py", "backend", cwd=repo) == ["a.py"]
    with pytest.raises(ConfigError, match=r"'frontend/b.js' is outside the project root"):
        given(root, "frontend/b.js", cwd=repo)


def test_given_paths_through_a_symlinked_folder(repo: Path, tmp_path: Path) -> None:
    write(repo / "sub" / "a.py")
    alias = tmp_path / "alias"
    alias.symlink_to(repo, target_is_directory=True)
    assert given(repo, "a.py", cwd=alias / "sub") == ["sub/a.py"]
    assert given(alias, str(repo / "sub" / "a.py")) == ["sub/a.py"]


def test_given_folders_outside_git_are_walked(plain: Path) -> None:
    write(plain / "src" / "a.py")
    write(plain / "src" / "__pycache__" / "a.pyc")
    write(plain / "src" / "-odd\nname.py")
    write(plain / "b.py")
    assert given(plain, "src", "b.py") == ["b.py", "src/-odd\nname.py", "src/a.py"]
    assert given(plain, ".") == ["b.py", "src/-odd\nname.py", "src/a.py"]


def test_given_files_need_no_git(
    plain: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(plain / "a.py")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert given(plain, "a.py") == ["a.py"]


def test_selection_does_not_change_the_index_content(repo: Path) -> None:
    _forked(repo)
    before = run_git(repo, "ls-files", "-s", "-z")
    for selection in (
        StagedFiles(),
        ChangedFiles(),
        AllFiles(),
        GivenFiles(paths=(".",), cwd=repo),
    ):
        select(repo, selection)
    assert run_git(repo, "ls-files", "-s", "-z") == before


# the git functions underneath


def test_git_helpers_edge_cases(repo: Path) -> None:
    write(repo / "a.py")
    commit_all(repo)
    assert git.list_paths(repo, []) == []
    assert git.list_paths(repo, ["a.py", "missing"]) == ["a.py"]
    head = git.resolve_commit(repo, "HEAD")
    assert head is not None
    assert git.resolve_commit(repo, "main") == head
    assert git.resolve_commit(repo, "nope") is None
    assert git.merge_base(repo, head, head) == head
    assert git.merge_base(repo, head, git.empty_tree(repo)) is None
    with pytest.raises(ValueError, match="not a ref: '--all'"):
        git.resolve_commit(repo, "--all")


def test_git_helpers_without_git(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(git.GitNotFoundError):
        git.resolve_commit(repo, "HEAD")
    with pytest.raises(git.GitNotFoundError):
        git.merge_base(repo, "a", "b")
