"""Each file's content id, as the result cache keys it: git's blob id.

Taken from the index when the work-tree file's stat data matches the index entry (as git itself
decides a file is unchanged: mtime to the nanosecond, size, inode, and a file not written in the
same instant as the index, which git calls racy), else computed from the file's bytes. Either way
it is the same id for the same bytes, so what git-hook mode checks (the staged blobs, on disk
while the unstaged changes are hidden) is keyed exactly as it will be committed. Never a
modification time alone.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from crackjack.core.git.indexfile import STAT, blob_id, read_index

_WORD = 0xFFFFFFFF


class ContentIds:
    """The content ids of files under ``root``; ``index``: git's index file of the work tree
    whose top is ``top`` (None outside git: every id is hashed). The index is read once, when
    the first id is asked for (the hooks of a run do not stage anything); files are looked at
    on every call."""

    def __init__(self, root: Path, index: Path | None = None, top: Path | None = None) -> None:
        self.root = root
        self._index = index
        self._prefix = _prefix(root, top)
        self._entries: dict[str, tuple[str, tuple[int, ...]]] | None = None
        self._index_mtime_ns = 0
        self._hash_size = 20

    def of(self, path: str) -> str | None:
        """The id of ``path`` (relative to the root); None when it is not a regular file that
        can be read (such a file is never cached)."""
        full = os.path.join(self.root, path)
        try:
            info = os.lstat(full)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        known = self._indexed().get(self._prefix + path)
        if known is not None and self._matches(known[1], info):
            return known[0]
        try:
            with open(full, "rb") as file:
                return blob_id(file.read(), self._hash_size)
        except OSError:
            return None

    def _matches(self, words: tuple[int, ...], info: os.stat_result) -> bool:
        _cs, _cn, mtime_s, mtime_ns, _dev, ino, _mode, _uid, _gid, size = words
        return (
            info.st_mtime_ns < self._index_mtime_ns
            and mtime_s == info.st_mtime_ns // 1_000_000_000 & _WORD
            and mtime_ns == info.st_mtime_ns % 1_000_000_000
            and ino == info.st_ino & _WORD
            and size == info.st_size & _WORD
        )

    def _indexed(self) -> dict[str, tuple[str, tuple[int, ...]]]:
        """The index's stage-0 entries by path; empty when there is none this reader can
        vouch for (every file is then hashed)."""
        if self._entries is not None:
            return self._entries
        entries: dict[str, tuple[str, tuple[int, ...]]] = {}
        try:
            self._index_mtime_ns = 0 if self._index is None else os.stat(self._index).st_mtime_ns
        except OSError:
            self._index = None
        for entry in (read_index(self._index) or ()) if self._index is not None else ():
            if entry.stage == 0 and len(entry.stat) == STAT.size:
                entries[entry.path] = (entry.oid, STAT.unpack(entry.stat))
                self._hash_size = len(entry.oid) // 2
        self._entries = entries  # whole, or not yet: hook threads may ask at once
        return entries


def _prefix(root: Path, top: Path | None) -> str:
    """The root's path from the top of the work tree, as index paths start (``sub/``)."""
    if top is None:
        return ""
    relative = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
    return "" if relative == "." else relative.replace(os.sep, "/") + "/"
