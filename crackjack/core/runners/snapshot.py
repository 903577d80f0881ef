"""Which files a hook changed.

A file's stat signature (size, mtime, ctime, inode) tells most changes. File systems stamp times
coarsely, so a file written shortly before the snapshot could change again within the same tick
with the same size; like git's "racy clean" rule, such recent files are also hashed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from crackjack.core.digest import file_digest
from crackjack.core.valueclass import value

RACY_SECONDS = 2.0

Signature = tuple[int, int, int, int]


@value
class Snapshot:
    """The stat signatures (and, for recent files, digests) of a hook's files before it ran."""

    root: Path
    signatures: dict[str, Signature | None]
    digests: dict[str, bytes]

    @classmethod
    def take(cls, root: Path, files: Iterable[str]) -> Snapshot:
        racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
        signatures: dict[str, Signature | None] = {}
        digests: dict[str, bytes] = {}
        base = os.path.join(root, "")
        for name in files:
            path = base + name
            signature = _signature(path)
            signatures[name] = signature
            if signature is not None and max(signature[1], signature[2]) >= racy_after:
                digest = _digest(path)
                if digest is not None:
                    digests[name] = digest
        return cls(root, signatures, digests)

    def changed(self) -> tuple[str, ...]:
        """The files whose content (or existence) differs from when the snapshot was taken."""
        return tuple(name for name in self.signatures if self._changed(name))

    def _changed(self, name: str) -> bool:
        path = os.path.join(self.root, name)
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
