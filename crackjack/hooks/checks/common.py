"""What every in-process check does alike: refuse arguments, read files, apply or report fixes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.files.fsutil import atomic_write, describe_os_error
from crackjack.core.runners.inprocess import CheckOutcome

Finder = Callable[[str, bytes], Iterable[str]]
"""``(name, content)`` to the check's output lines for that file."""

Change = tuple[bytes, list[tuple[str, str]]]
"""The fixed content, and ``(where, what)`` per problem: ``(":3", "trailing whitespace")``."""

_CHUNK = 64 * 1024


def no_arguments(args: Sequence[str]) -> None:
    """The argument parser of a check that takes none: any argument is a ``ConfigError``."""
    if args:
        raise ConfigError(f"unknown argument {args[0]!r} (this check takes no arguments)")


def read_each(files: Sequence[str], root: Path, output: list[str]) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of each file; one that cannot be read is a line of ``output``."""
    base = os.path.join(root, "")
    for name in files:
        try:
            data = read_whole(base + name)
        except OSError as exc:
            output.append(f"{name}: cannot read: {describe_os_error(exc)}")
            continue
        yield name, data


def read_whole(path: str) -> bytes:
    """The content of ``path``, read through ``os.read``: half the time ``open`` takes (no
    buffered file object is built), on a path every in-process check walks for each file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        want = os.fstat(fd).st_size + 1  # one byte more than the stat says: a grown file goes on
        parts = []
        while chunk := os.read(fd, want):
            parts.append(chunk)
            want = _CHUNK
        return b"".join(parts)
    finally:
        os.close(fd)


def read_tail(path: str, count: int) -> bytes:
    """The last ``count`` bytes of ``path`` (all of it if shorter), read without the rest."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        return os.pread(fd, count, max(0, size - count))
    finally:
        os.close(fd)


def find_in_files(files: Sequence[str], root: Path, find: Finder) -> CheckOutcome:
    output: list[str] = []
    for name, data in read_each(files, root, output):
        output.extend(find(name, data))
    return CheckOutcome(failed=bool(output), output="\n".join(output))


def is_text(data: bytes) -> bool:
    """Whether a text fixer may rewrite ``data``: UTF-8 with no NUL byte. (A UTF-16 or UTF-32
    byte-order mark is never UTF-8: its 0xFE and 0xFF bytes cannot occur there.)"""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def fix_files(
    files: Sequence[str],
    root: Path,
    fix: bool,
    change: Callable[[str, bytes], Change | None],
    *,
    suspect: Callable[[str], bool] | None = None,
) -> CheckOutcome:
    """Rewrite each file ``change`` fixes (atomically), or with ``fix=False`` only report it.
    With ``suspect`` (a file's path to whether it may need a fix, from a cheap look such as its
    last bytes), only the suspects are read whole.

    A file that is not text (``is_text``) is left alone, whatever ``change`` says of it:
    identify calls UTF-16 files text, and a byte-wise fix would corrupt them."""
    output: list[str] = []
    modified: list[str] = []
    if suspect is not None:
        files = _suspects(files, root, suspect)
    for name, data in read_each(files, root, output):
        found = change(name, data)
        if found is None or not is_text(data):
            continue
        fixed, problems = found
        if fix:
            try:
                atomic_write(root / name, fixed)
            except OSError as exc:
                output.append(f"{name}: cannot write: {describe_os_error(exc)}")
                continue
            modified.append(name)
        verb = "fixed" if fix else "would fix"
        output.extend(f"{name}{where}: {verb} {what}" for where, what in problems)
    return CheckOutcome(failed=bool(output), output="\n".join(output), modified=tuple(modified))


def _suspects(files: Sequence[str], root: Path, suspect: Callable[[str], bool]) -> list[str]:
    base = os.path.join(root, "")
    found = []
    for name in files:
        try:
            if suspect(base + name):
                found.append(name)
        except OSError:
            found.append(name)  # read whole, where the error is told
    return found
