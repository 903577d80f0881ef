"""The end-of-file fixer: a non-empty file ends with exactly one line break."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.fsutil import atomic_write, describe_os_error
from crackjack.core.hook import CheckOutcome

_LINE_BREAK = re.compile(rb"\r\n|\n|\r")


def end_of_file(
    files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
) -> CheckOutcome:
    """Make every file end with one line break; a file of nothing but line breaks becomes empty."""
    if args:
        raise ConfigError(f"end-of-file-fixer takes no arguments, got: {' '.join(args)}")
    output: list[str] = []
    modified: list[str] = []
    for name in files:
        path = root / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            output.append(f"{name}: cannot read: {describe_os_error(exc)}")
            continue
        change = fix_end_of_file(data)
        if change is None:
            continue
        fixed, problem = change
        if not fix:
            output.append(f"{name}: would fix {problem}")
            continue
        try:
            atomic_write(path, fixed)
        except OSError as exc:
            output.append(f"{name}: cannot write: {describe_os_error(exc)}")
            continue
        modified.append(name)
        output.append(f"{name}: fixed {problem}")
    return CheckOutcome(failed=bool(output), output="\n".join(output), modified=tuple(modified))


def fix_end_of_file(data: bytes) -> tuple[bytes, str] | None:
    """The fixed content and what was wrong, or None when ``data`` is already right.

    A missing final line break is added in the style of the file's first one (``\\n`` when it
    has none); extra ones are trimmed to the first of them, as pre-commit-hooks does.
    """
    if not data:
        return None
    content = data.rstrip(b"\r\n")
    if not content:
        return b"", "file containing only line breaks"
    tail = data[len(content) :]
    if not tail:
        return data + _line_break_style(data), "missing line break at end of file"
    last = tail[:2] if tail.startswith(b"\r\n") else tail[:1]
    if tail == last:
        return None
    return content + last, "extra line breaks at end of file"


def _line_break_style(data: bytes) -> bytes:
    match = _LINE_BREAK.search(data)
    return match.group() if match else b"\n"
