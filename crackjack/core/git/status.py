"""The index against ``HEAD`` and the work tree against the index, from one ``git status``.

Git-hook mode needs both: the unstaged changes to hide, then the staged files to check. One
``git status --porcelain=v2 -z`` answers both, immune to the configuration that changes its
output (renames, untracked files, submodules, branch and stash headers). The staged part
depends only on the index and ``HEAD``, so it is kept, keyed by the index's own checksum: asked
again while the index is unchanged (hiding writes files, never the index), it costs no git
process.
"""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.core.git.commands import git
from crackjack.core.git.worktree import WorkTree
from crackjack.core.valueclass import value

_STATUS = (
    *("--no-optional-locks", "status", "--porcelain=v2", "-z", "--untracked-files=no"),
    *("--no-renames", "--ignore-submodules=dirty", "--no-branch", "--no-show-stash", "--"),
)
_FIELDS = {b"1": 8, b"2": 9, b"u": 10}
"""How many space-separated fields come before the path, by kind of line."""
_STAGED = frozenset((b"A", b"M", b"T"))
"""Added, modified or changed type in the index (deletions left out)."""
_GITLINK = b"160000"
_CHECKSUM = 32
"""Bytes read from the end of the index: its whole checksum, sha1 (20) or sha256 (32)."""
_SHA1_SIZE = 20


@value(eq=True)
class Unstaged:
    """A tracked path whose work tree differs from the index: its status letter (``M``, ``T``,
    ``D``, ``A`` for an intent-to-add entry), its index mode and blob id."""

    path: str
    status: str
    index_mode: str
    index_oid: str


@value
class WorkingState:
    """What ``git status`` says of a work tree, paths relative to its top in git's order:
    ``staged``, the files the index adds, modifies or changes the type of relative to ``HEAD``
    (everything in the index before the first commit); ``unstaged``, changes of tracked paths
    not staged, submodules left out. Unmerged paths are in neither (they are refused first)."""

    staged: tuple[str, ...]
    unstaged: tuple[Unstaged, ...]


_known: dict[tuple[str, str | None, int, bytes], tuple[str, ...]] = {}


def working_state(tree: WorkTree) -> WorkingState:
    """Ask git (one process) for the state of ``tree``'s work tree, and keep its staged part."""
    key = _index_key(tree)
    state = _parse(git(*_STATUS, cwd=tree.top))
    _known.clear()
    if key is not None:
        _known[key] = state.staged
    return state


def staged_paths(tree: WorkTree) -> tuple[str, ...]:
    """``working_state(tree).staged``, without a git process when the index is the one last
    asked about."""
    key = _index_key(tree)
    known = None if key is None else _known.get(key)
    return known if known is not None else working_state(tree).staged


def _index_key(tree: WorkTree) -> tuple[str, str | None, int, bytes] | None:
    """The index file, ``HEAD``, the index's size and trailing checksum (which covers every
    byte of it); None without one (no index yet, ``index.skipHash`` writes zeros), when nothing
    may be kept."""
    try:
        with open(tree.index_file, "rb") as index:
            size = os.fstat(index.fileno()).st_size
            index.seek(-_CHECKSUM, os.SEEK_END)
            checksum = index.read()
    except OSError:
        return None
    if not checksum[-_SHA1_SIZE:].strip(b"\0"):
        return None
    return (str(tree.index_file), tree.head, size, checksum)


def _parse(out: bytes) -> WorkingState:
    staged: list[str] = []
    unstaged: list[Unstaged] = []
    records = iter(out.split(b"\0"))
    for record in records:
        kind = record[:1]
        count = _FIELDS.get(kind)
        if count is None:
            continue  # headers (#), and untracked or ignored files, which are not asked for
        fields = record.split(b" ", count)
        path = os.fsdecode(fields[count])
        if kind == b"2":
            next(records, None)  # the original name of a rename (never asked for)
        if kind == b"u":
            continue
        index_status, work_status = fields[1][:1], fields[1][1:2]
        if index_status in _STAGED:
            staged.append(path)
        index_mode, work_mode = fields[4], fields[5]
        if work_status != b"." and _GITLINK not in (index_mode, work_mode):
            change = Unstaged(path, work_status.decode(), index_mode.decode(), fields[7].decode())
            unstaged.append(change)
    return WorkingState(tuple(staged), tuple(unstaged))


def staged_files(tree: WorkTree, root: Path) -> list[str]:
    """The staged files (``WorkingState.staged``) under ``root``, relative to it, that exist in
    the work tree; sorted. Select once the work tree matches the index (after hiding)."""
    prefix = Path(os.path.relpath(root.resolve(), tree.top.resolve())).as_posix()
    start = "" if prefix == "." else f"{prefix}/"
    names = {path[len(start) :] for path in staged_paths(tree) if path.startswith(start)}
    base = os.path.join(root, "")
    return sorted(name for name in names if os.path.lexists(base + name))
