"""git's index file read in-process, for the two facts that would otherwise each cost a git
process on every run: whether any path is unmerged, and which blob a path holds.

Only what this reader fully understands is answered (formats 2, 3 and 4, a checksum that
matches, no split or sparse index, a file of at most ``MAX_BYTES``); anything else is None,
and the caller asks git as before. The format is git's ``Documentation/gitformat-index.txt``.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 1 << 20
"""Larger indexes are left to git: reading one in Python would cost more than a git process."""

_HEADER = struct.Struct(">4sII")
_STAT = 40
"""ctime, mtime (seconds and nanoseconds), dev, ino, mode, uid, gid, size: ten 32-bit words."""
_EXTENDED = 0x4000
_STAGE_SHIFT = 12
_NAME_MASK = 0x0FFF
_UNKNOWN_EXTENSIONS = (b"link", b"sdir")
"""A split index (entries live in another file) and a sparse index (folders stand for files)."""


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One entry of the index: its path (relative to the top of the work tree, ``/``-separated),
    mode (``0o100644``...), object id (hex) and stage (0, or 1-3 for an unmerged path)."""

    path: str
    mode: int
    oid: str
    stage: int


def read_index(index_file: Path) -> list[IndexEntry] | None:
    """The entries of ``index_file`` in index order; ``[]`` when it does not exist (git's empty
    index); None when this reader cannot vouch for the answer (see the module docstring)."""
    try:
        if os.stat(index_file).st_size > MAX_BYTES:
            return None
        data = index_file.read_bytes()
    except FileNotFoundError:
        return []
    except OSError:
        return None
    hash_size = _hash_size(data)
    if hash_size is None or len(data) < _HEADER.size + hash_size:
        return None
    signature, version, count = _HEADER.unpack_from(data)
    if signature != b"DIRC" or version not in (2, 3, 4):
        return None
    try:
        entries, end = _entries(data, version, count, hash_size)
    except (IndexError, ValueError, struct.error):
        return None
    if not _known_extensions(data, end, len(data) - hash_size):
        return None
    return entries


def _hash_size(data: bytes) -> int | None:
    """The object format's hash size, told by the trailing checksum of the whole file (sha1 or
    sha256); None when neither matches (damaged, or written with ``index.skipHash``)."""
    for size, algorithm in ((20, hashlib.sha1), (32, hashlib.sha256)):
        if len(data) > size and algorithm(data[:-size]).digest() == data[-size:]:
            return size
    return None


def _entries(data: bytes, version: int, count: int, hash_size: int) -> tuple[list[IndexEntry], int]:
    entries: list[IndexEntry] = []
    position = _HEADER.size
    previous = b""
    for _ in range(count):
        start = position
        mode = int.from_bytes(data[start + 24 : start + 28], "big")
        oid = data[start + _STAT : start + _STAT + hash_size].hex()
        flags_at = start + _STAT + hash_size
        flags = int.from_bytes(data[flags_at : flags_at + 2], "big")
        position = flags_at + (4 if version >= 3 and flags & _EXTENDED else 2)
        if version == 4:
            strip, position = _varint(data, position)
            end = data.index(b"\0", position)
            if strip > len(previous):
                raise ValueError("bad path compression")
            name = previous[: len(previous) - strip] + data[position:end]
            position = end + 1
        else:
            end = data.index(b"\0", position)
            name = data[position:end]
            position = start + ((end - start + 8) & ~7)
        if flags & _NAME_MASK not in (len(name), _NAME_MASK):
            raise ValueError("name length does not match")
        previous = name
        stage = (flags >> _STAGE_SHIFT) & 3
        entries.append(IndexEntry(os.fsdecode(name), mode, oid, stage))
    return entries, position


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """git's offset encoding (``varint.c``): 7 bits a byte, each continuation adding one."""
    byte = data[position]
    position += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[position]
        position += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, position


def _known_extensions(data: bytes, position: int, end: int) -> bool:
    while position < end:
        if end - position < 8:
            return False
        signature = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "big")
        if signature in _UNKNOWN_EXTENSIONS:
            return False
        position += 8 + size
    return position == end


def blob_id(content: bytes, hash_size: int) -> str:
    """The id git gives a blob of ``content`` (sha1, or sha256 for a 32-byte hash)."""
    algorithm = hashlib.sha1 if hash_size == 20 else hashlib.sha256
    return algorithm(b"blob %d\0" % len(content) + content).hexdigest()
