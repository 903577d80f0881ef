"""The in-process index reader agrees with ``git ls-files -s`` wherever it answers, and
declines (None) wherever it cannot vouch for the file; ``staged_version`` asks git only when
the index's blob is not the file's bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from crackjack.core.git import indexfile
from crackjack.core.git.commands import staged_version
from crackjack.core.git.indexfile import IndexEntry, blob_id, read_index
from tests.gitrepo import commit_all, make_repo, run_git, write


def git_says(repo: Path) -> list[IndexEntry]:
    out = subprocess.run(
        ["git", "ls-files", "-s", "-z"], cwd=repo, capture_output=True, check=True
    ).stdout
    entries = []
    for raw in out.split(b"\0"):
        if raw:
            head, path = raw.split(b"\t", 1)
            mode, oid, stage = head.split()
            entries.append(IndexEntry(os.fsdecode(path), int(mode, 8), oid.decode(), int(stage)))
    return entries


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    for name in ("a.py", "dir/b.py", "dir/deeper/c.txt", "é ü.txt", "x" * 200):
        write(root / name, f"{name}\n")
    os.symlink("a.py", root / "link")
    write(root / "run.sh", "#!/bin/sh\n").chmod(0o755)
    run_git(root, "add", "-A")
    return root


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_every_index_version_reads_as_git_lists_it(repo: Path, version: str) -> None:
    write(repo / "ita.txt", "later\n")
    run_git(repo, "add", "-N", "ita.txt")  # an extended flag: version 3 at least
    run_git(repo, "update-index", "--index-version", version)
    assert list(read_index(repo / ".git" / "index") or ["declined"]) == git_says(repo)


def test_a_sha256_repository_reads_as_git_lists_it(tmp_path: Path) -> None:
    root = tmp_path / "sha256"
    run_git(tmp_path, "init", "-q", "--object-format=sha256", str(root))
    write(root / "a.py", "a = 1\n")
    run_git(root, "add", "a.py")
    entries = read_index(root / ".git" / "index")
    assert entries is not None
    assert list(entries) == git_says(root)
    assert len(entries[0].oid) == 64
    assert blob_id(b"a = 1\n", 32) == entries[0].oid


def test_unmerged_entries_carry_their_stage(repo: Path) -> None:
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-b", "other")
    write(repo / "a.py", "other\n")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "-")
    write(repo / "a.py", "mine\n")
    commit_all(repo)
    merged = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True)
    assert merged.returncode == 1
    entries = read_index(repo / ".git" / "index")
    assert entries is not None
    assert list(entries) == git_says(repo)
    assert {entry.stage for entry in entries if entry.path == "a.py"} == {1, 2, 3}


def test_no_index_yet_is_an_empty_index(tmp_path: Path) -> None:
    assert read_index(make_repo(tmp_path / "new") / ".git" / "index") == ()


@pytest.mark.parametrize(
    "setting", [("core.splitIndex", "true"), ("index.skipHash", "true"), ("index.sparse", "x")]
)
def test_what_the_reader_cannot_vouch_for_is_declined(repo: Path, setting: tuple[str, str]) -> None:
    name, value = setting
    if name == "index.sparse":
        (repo / ".git" / "index").write_bytes(b"DIRC" + b"\0" * 40)  # a damaged file
    else:
        run_git(repo, "-c", f"{name}={value}", "update-index", "--force-write-index")
        if name == "index.skipHash" and read_index(repo / ".git" / "index") is not None:
            pytest.skip("this git does not know index.skipHash")
    assert read_index(repo / ".git" / "index") is None


def test_an_index_too_large_is_left_to_git(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexfile, "MAX_BYTES", 16)
    assert read_index(repo / ".git" / "index") is None


def test_a_changed_index_is_read_again(repo: Path) -> None:
    index = repo / ".git" / "index"
    first = read_index(index)
    write(repo / "new.py", "n = 1\n")
    run_git(repo, "add", "new.py")
    second = read_index(index)
    assert first is not None
    assert second is not None
    assert "new.py" not in {entry.path for entry in first}
    assert list(second) == git_says(repo)


def _no_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A ``git`` on PATH that fails: what the test runs must not start one."""
    bin_dir = tmp_path / "no-git"
    bin_dir.mkdir()
    fake = bin_dir / "git"
    fake.write_text("#!/bin/sh\nexit 97\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_a_staged_file_without_unstaged_edits_costs_no_git_process(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_git(monkeypatch, tmp_path)
    assert staged_version(repo / "dir" / "b.py", repo) is None


def test_a_staged_file_with_unstaged_edits_is_read_from_the_index(repo: Path) -> None:
    write(repo / "dir" / "b.py", "edited\n")
    assert staged_version(repo / "dir" / "b.py", repo) == b"dir/b.py\n"


@pytest.mark.parametrize("relative", [True, False])
def test_git_index_file_is_the_index_read(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool
) -> None:
    """As git sets it for ``git commit -a`` hooks: relative to the current folder, or not."""
    other = tmp_path / "other-index"
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    run_git(repo, "read-tree", "--empty")
    write(repo / "a.py", "in the other index\n")
    run_git(repo, "add", "a.py")
    write(repo / "a.py", "a.py\n")
    if relative:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("GIT_INDEX_FILE", "other-index")
    assert staged_version(repo / "a.py", repo) == b"in the other index\n"
    write(repo / "a.py", "in the other index\n")
    _no_git(monkeypatch, tmp_path)
    assert staged_version(repo / "a.py", repo) is None


def test_a_linked_worktree_reads_its_own_index(repo: Path, tmp_path: Path) -> None:
    commit_all(repo)
    linked = tmp_path / "linked"
    run_git(repo, "worktree", "add", "-q", str(linked))
    write(linked / "a.py", "staged there\n")
    run_git(linked, "add", "a.py")
    write(linked / "a.py", "edited there\n")
    assert staged_version(linked / "a.py", linked) == b"staged there\n"
    assert staged_version(repo / "a.py", repo) is None


@pytest.mark.parametrize(("signature", "readable"), [(b"ZZZZ", True), (b"zzzz", False)])
def test_an_unknown_extension_is_skipped_only_if_optional(
    repo: Path, tmp_path: Path, signature: bytes, readable: bool
) -> None:
    """git's rule: an extension whose name starts with a lower-case letter must be understood."""
    data = (repo / ".git" / "index").read_bytes()[:-20]
    data += signature + (4).to_bytes(4, "big") + b"\0\0\0\0"
    extended = tmp_path / "index"
    extended.write_bytes(data + hashlib.sha1(data).digest())
    found = read_index(extended)
    assert (found == tuple(git_says(repo))) if readable else found is None
