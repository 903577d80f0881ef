"""git's index file read in-process, for the two facts that would otherwise each cost a git
process on every run: whether any path is unmerged, and which blob a path holds.

Only what this reader fully understands is answered (formats 2, 3 and 4, a checksum that
matches, no split or sparse index, a file of at most ``MAX_BYTES``); anything else is None,
and the caller asks git as before. The format is git's ``Documentation/gitformat-index.txt``.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from crackjack.core.digest import Algorithm, hexdigest, new
from crackjack.core.valueclass import field, value

MAX_BYTES = 1 << 17
"""Larger indexes (beyond about 1,800 entries) are left to git: reading one in Python would
cost about as much as a git process (measured on a loaded 2-CPU machine)."""

_HEADER = struct.Struct(">4sII")
_STAT = 40
"""ctime, mtime (seconds and nanoseconds), dev, ino, mode, uid, gid, size: ten 32-bit words."""
STAT = struct.Struct(">10I")
"""How ``IndexEntry.stat`` unpacks."""
_EXTENDED = 0x4000
_STAGE_SHIFT = 12
_NAME_MASK = 0x0FFF
_OPTIONAL = range(ord("A"), ord("Z") + 1)
"""The first byte of an extension a reader may skip (``TREE``, ``REUC``, ``UNTR``...). One
starting with a lower-case letter must be understood (git's rule): ``link`` (a split index,
entries live in another file), ``sdir`` (a sparse index, folders stand for files) and any
later one; this reader understands none, so it refuses them all."""


@value(eq=True)
class IndexEntry:
    """One entry of the index: its path (relative to the top of the work tree, ``/``-separated),
    mode (``0o100644``...), object id (hex) and stage (0, or 1-3 for an unmerged path);
    ``stat``: the ten 32-bit words of stat data git compares with the file (``STAT``), not
    part of an entry's equality."""

    path: str
    mode: int
    oid: str
    stage: int
    stat: bytes = field(default=b"", compare=False)


def read_index(index_file: Path) -> tuple[IndexEntry, ...] | None:
    """The entries of ``index_file`` in index order; none when it does not exist (git's empty
    index); None when this reader cannot vouch for the answer (see the module docstring). The
    last answer is kept, and given again while the file holds the same bytes (a run reads the
    index up to three times)."""
    try:
        with open(index_file, "rb") as index:
            size = os.fstat(index.fileno()).st_size
            if size > MAX_BYTES:
                return None
            data = index.read()
    except FileNotFoundError:
        return ()
    except OSError:
        return None
    if _last_read and _last_read[0][0] == data:
        return _last_read[0][1]
    entries = _parse(data)
    _last_read[:] = [] if entries is None else [(data, entries)]
    return entries


_last_read: list[tuple[bytes, tuple[IndexEntry, ...]]] = []


def _parse(data: bytes) -> tuple[IndexEntry, ...] | None:
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
    return tuple(entries)


def _hash_size(data: bytes) -> int | None:
    """The object format's hash size, told by the trailing checksum of the whole file (sha1 or
    sha256); None when neither matches (damaged, or written with ``index.skipHash``)."""
    checksums: tuple[tuple[int, Algorithm], ...] = ((20, "sha1"), (32, "sha256"))
    for size, algorithm in checksums:
        if len(data) > size and new(algorithm, data[:-size]).digest() == data[-size:]:
            return size
    return None


def _entries(data: bytes, version: int, count: int, hash_size: int) -> tuple[list[IndexEntry], int]:
    """Every entry; the mode and id are decoded only for entries whose stage or name is read,
    which is all of them, but in one tight loop (this runs on every commit)."""
    entries: list[IndexEntry] = []
    append = entries.append
    flags_offset = _STAT + hash_size
    from_bytes = int.from_bytes
    position = _HEADER.size
    previous = b""
    for _ in range(count):
        start = position
        flags = from_bytes(data[start + flags_offset : start + flags_offset + 2], "big")
        position = start + flags_offset + (4 if version >= 3 and flags & _EXTENDED else 2)
        length = flags & _NAME_MASK
        if version == 4:
            strip, position = _varint(data, position)
            end = data.index(b"\0", position)
            if strip > len(previous):
                raise ValueError("bad path compression")
            name = previous[: len(previous) - strip] + data[position:end]
            position = end + 1
        else:
            end = position + length if length < _NAME_MASK else data.index(b"\0", position)
            name = data[position:end]
            position = start + ((end - start + 8) & ~7)
        if data[end] != 0 or (length != _NAME_MASK and length != len(name)):
            raise ValueError("name length does not match")
        previous = name
        append(
            IndexEntry(
                os.fsdecode(name),
                from_bytes(data[start + 24 : start + 28], "big"),
                data[start + _STAT : start + flags_offset].hex(),
                (flags >> _STAGE_SHIFT) & 3,
                data[start : start + _STAT],
            )
        )
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
        if signature[0] not in _OPTIONAL:
            return False
        position += 8 + size
    return position == end


def blob_id(content: bytes, hash_size: int) -> str:
    """The id git gives a blob of ``content`` (sha1, or sha256 for a 32-byte hash)."""
    algorithm: Algorithm = "sha1" if hash_size == 20 else "sha256"
    return hexdigest(b"blob %d\0" % len(content) + content, algorithm)
