"""The one place crackjack hashes: SHA-1, SHA-256 and BLAKE2b, without OpenSSL for short input.

``import hashlib`` loads OpenSSL's libraries and builds every algorithm's constructor: about
10 ms on the bench machine, more than a trivial run spends on all it hashes (its keys, a lock's
name, the index's checksum). CPython's own small modules (``_sha1``, ``_sha2``, named
``_sha256`` before 3.12, ``_blake2``) give the same digests at a tenth of OpenSSL's speed, so
they take input of up to ``SMALL`` bytes; longer input, and streams (files being copied or
compared), go to hashlib, imported then. Where a build lacks a small module, hashlib does it all.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BufferedReader
from typing import Literal, Protocol

Algorithm = Literal["sha1", "sha256", "blake2b"]
SMALL = 1 << 18
"""The longest input hashed without OpenSSL: a few milliseconds at the small modules' speed."""
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
    """A hash of ``algorithm`` fed ``data``: a small module's when ``data`` is all it will get
    and is short (see the module), else hashlib's (use :func:`stream` for more to come)."""
    small = _small(algorithm) if len(data) <= SMALL else None
    return stream(algorithm, data) if small is None else small(data)


def hexdigest(data: bytes, algorithm: Algorithm = "sha256") -> str:
    return new(algorithm, data).hexdigest()


def stream(algorithm: Algorithm, data: bytes = b"") -> Hash:
    """hashlib's hash of ``algorithm``, for input fed in parts (a file, however long)."""
    import hashlib

    found: Hash = hashlib.new(algorithm, data)
    return found


def file_digest(handle: BufferedReader, algorithm: Algorithm) -> Hash:
    """The hash of ``algorithm`` of what ``handle`` (a file open for reading in binary) holds:
    a small module's for a short file, else hashlib's, fed in chunks."""
    head = handle.read(SMALL + 1)
    if not isinstance(head, bytes):
        raise ValueError(f"{handle!r} is not a file open for reading in binary")
    if len(head) <= SMALL:
        return new(algorithm, head)
    found = stream(algorithm, head)
    while chunk := handle.read(_CHUNK):
        found.update(chunk)
    return found


_found: dict[Algorithm, Callable[[bytes], Hash] | None] = {}


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
