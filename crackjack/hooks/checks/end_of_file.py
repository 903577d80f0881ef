"""The end-of-file fixer: a non-empty file ends with exactly one line break."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks.common import Change, fix_files, no_arguments, read_tail

_LINE_BREAK = re.compile(rb"\r\n|\n|\r")
_TAIL_BYTES = 4
"""Enough to see that a file ends right: a byte of content, then one line break (``\\r\\n``)."""


def end_of_file(
    files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
) -> CheckOutcome:
    """Make every file end with one line break; a file of nothing but line breaks becomes empty."""
    no_arguments(args)
    return fix_files(files, root, fix, _change, suspect=_ends_wrong)


def _ends_wrong(path: str) -> bool:
    """Whether ``path`` may need a fix, from its last bytes: where they need none, neither does
    the file (its final line breaks all lie in them, after a byte of content); last bytes that
    are all line breaks may end a file of nothing else, which is then read whole."""
    return fix_end_of_file(read_tail(path, _TAIL_BYTES)) is not None


def _change(name: str, data: bytes) -> Change | None:
    found = fix_end_of_file(data)
    return None if found is None else (found[0], [("", found[1])])


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
