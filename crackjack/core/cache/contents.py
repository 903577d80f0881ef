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
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from crackjack.core.files.stamps import settled
from crackjack.core.git.indexfile import STAT, blob_id, read_index

if TYPE_CHECKING:
    from crackjack.core.files.touchable import FileModes

_WORD = 0xFFFFFFFF
_NS = 1_000_000_000
Seen = tuple[int, ...]
"""A file's stat data as this module compares it: mtime and ctime (ns), size, inode, device."""


class Known:
    """What a run knows the file at ``path`` by: its content id, its stat data, and when it
    was looked at (``time.time_ns()``, taken before the look). One for each look at a file,
    shared by every hook that keyed the file by it (so compared by identity)."""

    __slots__ = ("at", "content", "path", "seen")

    def __init__(self, path: str, content: str, seen: Seen, at: int) -> None:
        self.path = path
        self.content = content
        self.seen = seen
        self.at = at


class ContentIds:
    """The content ids of files under ``root`` in one run; ``index``: git's index file of the
    work tree whose top is ``top`` (None outside git: every id is hashed). The index is read
    once, when the first id is asked for (the hooks of a run do not stage anything). ``many``
    looks at each file once a run, for every hook that asks, until ``forget`` (a hook of the
    run changed it; the first look is the selection's ``looks`` when given); ``holding``
    looks at each again, before a hit is served and after a hook ended, so that a pass is
    served and kept only for the content it was keyed by. A file is hashed again unless it is
    unchanged since it was hashed in this run (``core.files.stamps``)."""

    def __init__(
        self,
        root: Path,
        index: Path | None = None,
        top: Path | None = None,
        looks: FileModes | None = None,
    ) -> None:
        self.root = root
        self._looks = looks if looks is not None and looks.root == root else None
        self._changed: set[str] = set()
        self._base = os.path.join(root, "")
        self._index = index
        self._prefix = _prefix(root, top)
        self._entries: dict[str, tuple[str, tuple[int, ...]]] | None = None
        self._index_mtime_ns = 0
        self._hash_size = 20
        self._hashed: dict[str, tuple[Seen, str]] = {}
        self._known: dict[str, Known] = {}
        self._unknown: set[str] = set()
        self._forgotten = 0
        self._answers: dict[tuple[str, ...], tuple[int, dict[str, Known]]] = {}
        self._looking = threading.Lock()

    def of(self, path: str) -> tuple[str, Seen] | None:
        """The id of ``path`` (relative to the root) and its stat data as seen; None when it is
        not a regular file that can be read (such a file is never cached)."""
        full = self._base + path
        try:
            info = os.lstat(full)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        mtime = info.st_mtime_ns
        seen = (mtime, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)
        known = self._indexed().get(self._prefix + path)
        if known is not None and mtime < self._index_mtime_ns and known[1] == _as_indexed(info):
            return known[0], seen
        hashed = self._hashed.get(path)
        if hashed is not None and hashed[0] == seen:
            return hashed[1], seen
        read_at = time.time_ns()
        try:
            with open(full, "rb") as file:
                content = blob_id(file.read(), self._hash_size)
        except OSError:
            return None
        if _settled(seen, read_at):
            self._hashed[path] = (seen, content)
        return content, seen

    def many(self, paths: Iterable[str]) -> dict[str, Known]:
        """What each of ``paths`` is known by in this run (those it can tell): each file is
        looked at once a run, when a hook first asks for it, and again only after ``forget``.
        Hooks asking for the same files in between get the same answer (the same object)."""
        paths = tuple(paths)
        answered = self._answers.get(paths)
        if answered is not None and answered[0] == self._forgotten:
            return answered[1]
        known, unknown = self._known, self._unknown
        with self._looking:  # hooks starting together look at their common files once
            forgotten = self._forgotten
            new = [path for path in paths if path not in known and path not in unknown]
            if new:
                self._look(new)
            answer = {path: known[path] for path in paths if path in known}
            self._answers[paths] = (forgotten, answer)
        return answer

    def forget(self, paths: Iterable[str] | None = None) -> None:
        """Look at ``paths`` (None: every file) again when next asked: a hook changed them."""
        with self._looking:
            self._forgotten += 1
            if paths is None:
                self._known.clear()
                self._unknown.clear()
                self._looks = None
                return
            for path in paths:
                self._known.pop(path, None)
                self._unknown.discard(path)
                self._changed.add(path)

    def _look(self, paths: list[str]) -> None:
        """Look at ``paths``: through the selection's looks (``looks``) for a file no hook
        has changed yet, taken before any hook ran and when no hook thread holds the GIL
        (a ``lstat`` beside a running check waits for it), else with an ``lstat`` now."""
        now, looks, changed = time.time_ns(), self._looks, self._changed
        known, unknown = self._known, self._unknown
        lstat, base, prefix, entries = os.lstat, self._base, self._prefix, self._indexed()
        index_mtime, is_regular, of = self._index_mtime_ns, stat.S_ISREG, self.of
        for path in paths:
            if looks is not None and path not in changed:
                info, at = looks.stat(path), min(now, looks.made)
                if info is None:
                    unknown.add(path)
                    continue
            else:
                try:
                    info, at = lstat(base + path), now
                except OSError:
                    unknown.add(path)
                    continue
            mtime = info.st_mtime_ns
            entry = entries.get(prefix + path)
            if (
                entry is not None
                and mtime < index_mtime
                and is_regular(info.st_mode)
                and entry[1] == _as_indexed(info)
            ):
                seen = (mtime, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)
                known[path] = Known(path, entry[0], seen, at)
                continue
            found = of(path)
            if found is None:
                unknown.add(path)
            else:
                known[path] = Known(path, found[0], found[1], at)

    def holding(self, knowns: Iterable[Known]) -> set[Known]:
        """Those of ``knowns`` whose file still holds the content it was known by: by its stat
        data alone when it had settled when it was looked at, else by its id again; each
        file looked at once."""
        now: dict[str, Seen | None] = {}
        again: dict[str, str | None] = {}
        kept: set[Known] = set()
        for known in set(knowns):
            path, seen = known.path, known.seen
            if path not in now:
                now[path] = stat_of(self._base + path)
            current = now[path]
            if current is None:
                continue
            if _settled(seen, known.at) and current == seen:
                kept.add(known)
                continue
            if path not in again:
                found = self.of(path)
                again[path] = None if found is None else found[0]
            if again[path] == known.content:
                kept.add(known)
        return kept

    def _indexed(self) -> dict[str, tuple[str, tuple[int, ...]]]:
        """The index's stage-0 entries by path, with the stat data ``_as_indexed`` gives;
        empty when there is none this reader can vouch for (every file is then hashed)."""
        if self._entries is not None:
            return self._entries
        entries: dict[str, tuple[str, tuple[int, ...]]] = {}
        try:
            self._index_mtime_ns = 0 if self._index is None else os.stat(self._index).st_mtime_ns
        except OSError:
            self._index = None
        for entry in (read_index(self._index) or ()) if self._index is not None else ():
            if entry.stage == 0 and len(entry.stat) == STAT.size:
                ctime_s, ctime_ns, mtime_s, mtime_ns, _dev, ino, _mode, _uid, _gid, size = (
                    STAT.unpack(entry.stat)
                )
                indexed = (ctime_s * _NS + ctime_ns, mtime_s * _NS + mtime_ns, ino, size)
                entries[entry.path] = (entry.oid, indexed)
                self._hash_size = len(entry.oid) // 2
        self._entries = entries  # whole, or not yet: hook threads may ask at once
        return entries


def _as_indexed(info: os.stat_result) -> tuple[int, ...]:
    """The stat data git keeps in the index and compares (``core.trustctime`` is on by
    default): ctime and mtime, inode and size, each cut to 32 bits as the index keeps them
    (the times' seconds: a time past 2106 never matches, and the file is hashed). A file
    rewritten in place with its size and mtime kept (``touch -r``, ``cp -p``) has a new ctime,
    so it is hashed again."""
    return (info.st_ctime_ns, info.st_mtime_ns, info.st_ino & _WORD, info.st_size & _WORD)


def _settled(seen: Seen, at: int) -> bool:
    """Whether a file hashed in this run keeps its content while its stat data is unchanged
    (``core.files.stamps``); otherwise it is hashed again."""
    return settled(seen[0], seen[1], at)


def _seen(info: os.stat_result) -> Seen:
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)


def stat_of(path: str) -> Seen | None:
    """``path``'s stat data as this module compares it (``lstat``); None if it has none."""
    try:
        return _seen(os.lstat(path))
    except OSError:
        return None


def _prefix(root: Path, top: Path | None) -> str:
    """The root's path from the top of the work tree, as index paths start (``sub/``)."""
    if top is None:
        return ""
    relative = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
    return "" if relative == "." else relative.replace(os.sep, "/") + "/"
