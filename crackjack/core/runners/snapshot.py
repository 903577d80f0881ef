"""Which files a hook changed.

A file's stat signature (size, mtime, ctime, inode) tells most changes. A file written shortly
before the snapshot could change again within the same timestamp tick with the same size
(``core.files.stamps``, git's "racy clean" rule): such recent files are also hashed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from crackjack.core.digest import file_digest
from crackjack.core.files.stamps import settled
from crackjack.core.valueclass import value

Signature = tuple[int, int, int, int]


@value
class Snapshot:
    """The stat signatures (and, for recent files, digests) of a hook's files before it ran."""

    root: Path
    signatures: dict[str, Signature | None]
    digests: dict[str, bytes]

    @classmethod
    def take(cls, root: Path, files: Iterable[str]) -> Snapshot:
        now = time.time_ns()
        signatures: dict[str, Signature | None] = {}
        digests: dict[str, bytes] = {}
        base = os.path.join(root, "")
        for name in files:
            path = base + name
            signature = _signature(path)
            signatures[name] = signature
            if signature is not None and not settled(signature[1], signature[2], now):
                digest = _digest(path)
                if digest is not None:
                    digests[name] = digest
        return cls(root, signatures, digests)

    def changed(self) -> tuple[str, ...]:
        """The files whose content (or existence) differs from when the snapshot was taken."""
        base = os.path.join(self.root, "")
        return tuple(name for name in self.signatures if self._changed(name, base + name))

    def _changed(self, name: str, path: str) -> bool:
        before = self.signatures[name]
        after = _signature(path)
        if before is None or after is None:
            return before != after
        if name in self.digests:
            return _digest(path) != self.digests[name]
        return before != after


def _signature(path: str) -> Signature | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _digest(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return file_digest(handle, "blake2b").digest()
    except OSError:
        return None
