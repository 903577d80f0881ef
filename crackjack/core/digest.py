"""The one place crackjack hashes: SHA-1, SHA-256 and BLAKE2b, without OpenSSL for short input.

``import hashlib`` loads OpenSSL's libraries and builds every algorithm's constructor: about
10 ms on the bench machine, more than a trivial run spends on all it hashes (its keys, a lock's
name, the index's checksum). CPython's own small modules (``_sha1``, ``_sha2``, named
``_sha256`` before 3.12, ``_blake2``) give the same digests at a tenth of OpenSSL's speed, so
they take the first ``SMALL`` bytes a process hashes; the rest (many files, a long one, and
streams: files being copied or compared) goes to hashlib, imported then, and so does all once
hashlib is loaded. Where a build lacks a small module, hashlib does it all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from io import BufferedReader
from typing import Literal, Protocol

Algorithm = Literal["sha1", "sha256", "blake2b"]
SMALL = 1 << 18
"""How much a process hashes without OpenSSL: a few milliseconds at the small modules'
speed, less than loading OpenSSL."""
_CHUNK = 1 << 20
_MODULES: dict[Algorithm, tuple[str, ...]] = {
    "sha1": ("_sha1",),
    "sha256": ("_sha2", "_sha256"),
    "blake2b": ("_blake2",),
}


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


def new(algorithm: Algorithm, data: bytes = b"") -> Hash:
    """A hash of ``algorithm`` fed ``data``: a small module's while the process has hashed
    little (see the module), else hashlib's (use :func:`stream` for more to come)."""
    global _small_bytes
    small = None
    if _small_bytes + len(data) <= SMALL and "hashlib" not in sys.modules:
        small = _small(algorithm)
    if small is None:
        return stream(algorithm, data)
    _small_bytes += len(data)  # a race between threads only moves the switch a little
    return small(data)


def maker(algorithm: Algorithm) -> Callable[[bytes], Hash]:
    """A constructor of ``algorithm``'s hashes, for many short inputs (keys), where a small
    module is as fast a call as OpenSSL: the small module's while hashlib is not loaded."""
    small = None if "hashlib" in sys.modules else _small(algorithm)
    if small is not None:
        return small
    stream(algorithm)
    return _hashlib[algorithm]


def hexdigest(data: bytes, algorithm: Algorithm = "sha256") -> str:
    return new(algorithm, data).hexdigest()


def stream(algorithm: Algorithm, data: bytes = b"") -> Hash:
    """hashlib's hash of ``algorithm``, for input fed in parts (a file, however long)."""
    make = _hashlib.get(algorithm)
    if make is None:
        import hashlib

        make = _hashlib[algorithm] = getattr(hashlib, algorithm)  # not hashlib.new: slower
    return make(data)


def file_digest(handle: BufferedReader, algorithm: Algorithm) -> Hash:
    """The hash of ``algorithm`` of what ``handle`` (a file open for reading in binary) holds:
    a small module's for a short file, else hashlib's, fed in chunks."""
    head = handle.read(SMALL + 1)
    if not isinstance(head, bytes):
        raise ValueError(f"{handle!r} is not a file open for reading in binary")
    if len(head) <= SMALL:
        return new(algorithm, head)  # the small modules', or hashlib's past their share
    found = stream(algorithm, head)
    while chunk := handle.read(_CHUNK):
        found.update(chunk)
    return found


_small_bytes = 0
_found: dict[Algorithm, Callable[[bytes], Hash] | None] = {}
_hashlib: dict[Algorithm, Callable[[bytes], Hash]] = {}


def _small(algorithm: Algorithm) -> Callable[[bytes], Hash] | None:
    if algorithm not in _found:
        _found[algorithm] = None
        for module in _MODULES[algorithm]:
            try:
                _found[algorithm] = getattr(__import__(module), algorithm)
                break
            except (ImportError, AttributeError):
                continue
    return _found[algorithm]
