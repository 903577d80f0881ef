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


def no_arguments(args: Sequence[str]) -> None:
    """The argument parser of a check that takes none: any argument is a ``ConfigError``."""
    if args:
        raise ConfigError(f"unknown argument {args[0]!r} (this check takes no arguments)")


def read_each(files: Sequence[str], root: Path, output: list[str]) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of each file; one that cannot be read is a line of ``output``.
    (Read through ``open`` on a string path: half the time ``Path.read_bytes`` takes.)"""
    base = os.path.join(root, "")
    for name in files:
        try:
            with open(base + name, "rb") as stream:
                data = stream.read()
        except OSError as exc:
            output.append(f"{name}: cannot read: {describe_os_error(exc)}")
            continue
        yield name, data


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
    files: Sequence[str], root: Path, fix: bool, change: Callable[[str, bytes], Change | None]
) -> CheckOutcome:
    """Rewrite each file ``change`` fixes (atomically), or with ``fix=False`` only report it.

    A file that is not text (``is_text``) is left alone, whatever ``change`` says of it:
    identify calls UTF-16 files text, and a byte-wise fix would corrupt them."""
    output: list[str] = []
    modified: list[str] = []
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
