"""Snapshots of a whole repository, to prove that an operation changed nothing but what it meant.

``RepoState.take(repo)`` records every entry of the work tree below the top (files with their
bytes and permission bits, symlinks with their targets, folders with their permission bits;
tracked, untracked and ignored alike; ``.git`` left out), every index entry as
``git ls-files -s --debug`` shows it (mode, object, stage, path and the flags that carry
meaning: assume-unchanged, intent-to-add, skip-worktree; stat data left out), ``HEAD`` and
every ref outside ``refs/crackjack/``. ``assert_only_changed(before, after, intended)`` fails
with a readable list of differences unless exactly the ``intended`` paths changed, to the
given content.

Independent of the code under test: it runs git with ``subprocess`` and walks the file system.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Mapping
from pathlib import Path

from crackjack.core.valueclass import value

_FLAG_MASK = 0x8000 | 0x3000 | (1 << 29) | (1 << 30)
"""assume-valid, stage, intent-to-add, skip-worktree (git's in-memory ``ce_flags``)."""


@value(eq=True)
class Entry:
    """One work tree entry: ``kind`` is ``file``, ``symlink``, ``dir`` or ``other``."""

    kind: str
    perms: int
    data: bytes = b""


@value(eq=True)
class IndexEntry:
    mode: str
    oid: str
    stage: int
    flags: int


@value(eq=True)
class RepoState:
    worktree: Mapping[bytes, Entry]
    index: Mapping[bytes, tuple[IndexEntry, ...]]
    refs: Mapping[str, str]

    @classmethod
    def take(cls, repo: Path, index_file: Path | None = None) -> RepoState:
        """``index_file``: the index to read (default: ``GIT_INDEX_FILE`` if set, else git's)."""
        env = dict(os.environ)
        if index_file is not None:
            env["GIT_INDEX_FILE"] = str(index_file)
        return cls(worktree=walk(repo), index=read_index(repo, env), refs=read_refs(repo))


def walk(top: Path) -> dict[bytes, Entry]:
    """Every entry under ``top`` except ``.git`` (a folder or a file) at any depth."""
    entries: dict[bytes, Entry] = {}
    root = os.fsencode(top)
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name != b".git"]
        for name in [*dirs, *files]:
            if name == b".git":
                continue
            path = os.path.join(folder, name)
            entries[os.path.relpath(path, root)] = _entry(path)
    return entries


def _entry(path: bytes) -> Entry:
    info = os.lstat(path)
    perms = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode):
        return Entry("symlink", 0, os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return Entry("dir", perms)
    if stat.S_ISREG(info.st_mode):
        with open(path, "rb") as handle:
            return Entry("file", perms, handle.read())
    return Entry("other", perms)


def read_index(repo: Path, env: Mapping[str, str]) -> dict[bytes, tuple[IndexEntry, ...]]:
    """Index entries from ``git ls-files -s -z --debug``: each ``<mode> <oid> <stage>\\t<path>``,
    a NUL, then five lines of stat data, the last ending ``flags: <hex>``."""
    out = _git(repo, env, "ls-files", "-s", "-z", "--debug")
    entries: dict[bytes, list[IndexEntry]] = {}
    position = 0
    while position < len(out):
        end = out.index(b"\0", position)
        header, _, path = out[position:end].partition(b"\t")
        mode, oid, stage = header.split(b" ")
        block_start = end + 1
        position = block_start
        for _ in range(5):
            position = out.index(b"\n", position) + 1
        flags = int(out[block_start:position].rsplit(b"flags: ", 1)[1], 16)
        entry = IndexEntry(mode.decode(), oid.decode(), int(stage), flags & _FLAG_MASK)
        entries.setdefault(path, []).append(entry)
    return {path: tuple(found) for path, found in entries.items()}


def read_refs(repo: Path) -> dict[str, str]:
    """``HEAD`` (what it points at) and every ref with its object, but ``refs/crackjack/``."""
    out = _git(repo, None, "for-each-ref", "--format=%(refname) %(objectname)")
    refs = dict(line.split(" ", 1) for line in out.decode().splitlines())
    refs = {name: oid for name, oid in refs.items() if not name.startswith("refs/crackjack/")}
    head = Path(os.fsdecode(_git(repo, None, "rev-parse", "--git-path", "HEAD").rstrip(b"\n")))
    refs["HEAD"] = (head if head.is_absolute() else repo / head).read_text()
    return refs


def crackjack_refs(repo: Path) -> list[str]:
    out = _git(repo, None, "for-each-ref", "--format=%(refname)", "refs/crackjack/")
    return out.decode().split()


def _git(repo: Path, env: Mapping[str, str] | None, *args: str) -> bytes:
    done = subprocess.run(
        ["git", "-c", "core.quotepath=off", *args],
        cwd=repo,
        env=None if env is None else dict(env),
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout


Intended = Mapping[str | bytes, Entry | bytes | None]
"""Path -> the entry it should now be (bytes: a file with that content and its old
permissions; None: gone)."""


def differences(before: RepoState, after: RepoState, intended: Intended | None = None) -> list[str]:
    """Every difference between two states that ``intended`` does not explain."""
    wanted = {os.fsencode(path): value for path, value in (intended or {}).items()}
    problems: list[str] = []
    for path in sorted(set(before.worktree) | set(after.worktree)):
        old, new = before.worktree.get(path), after.worktree.get(path)
        expected = _expected(old, wanted[path]) if path in wanted else old
        if new != expected:
            problems.append(f"work tree {path!r}: expected {_show(expected)}, found {_show(new)}")
    if before.index != after.index:
        for path in sorted(set(before.index) | set(after.index)):
            if before.index.get(path) != after.index.get(path):
                problems.append(
                    f"index {path!r}: {before.index.get(path)} -> {after.index.get(path)}"
                )
    if before.refs != after.refs:
        problems.append(f"refs: {dict(before.refs)} -> {dict(after.refs)}")
    return problems


def assert_only_changed(
    before: RepoState, after: RepoState, intended: Intended | None = None
) -> None:
    problems = differences(before, after, intended)
    assert not problems, "unexpected changes:\n" + "\n".join(problems)


def _expected(old: Entry | None, wanted: Entry | bytes | None) -> Entry | None:
    if wanted is None or isinstance(wanted, Entry):
        return wanted
    perms = old.perms if old is not None and old.kind == "file" else 0o644
    return Entry("file", perms, wanted)


def _show(entry: Entry | None) -> str:
    if entry is None:
        return "nothing"
    data = entry.data if len(entry.data) <= 60 else entry.data[:60] + b"..."
    return f"{entry.kind} {oct(entry.perms)} {data!r}"
