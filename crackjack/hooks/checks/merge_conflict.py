"""The merge-conflict check: files still holding git's conflict markers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks.common import find_in_files, no_arguments

_MARKER = re.compile(rb"^(?:<<<<<<< |\|\|\|\|\|\|\| |>>>>>>> |=======(?=[ \r\n]|\Z))", re.MULTILINE)
_OUTER_MARKERS = (b"<<<<<<< ", b">>>>>>> ")


def merge_conflict(
    files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
) -> CheckOutcome:
    """Report every conflict marker line of files that hold a ``<<<<<<<`` or ``>>>>>>>`` one.

    A lone ``=======`` is a reStructuredText underline, not a conflict, so it is reported only
    beside an outer marker.
    """
    no_arguments(args)
    return find_in_files(files, root, _markers)


def _markers(name: str, data: bytes) -> list[str]:
    return [f"{name}:{line}: {message}" for line, message in find_markers(data)]


def find_markers(data: bytes) -> list[tuple[int, str]]:
    """``(line, message)`` for each marker line, or nothing without an outer marker."""
    if not any(marker in data for marker in _OUTER_MARKERS):
        return []
    matches = list(_MARKER.finditer(data))
    if not any(match.group().startswith(_OUTER_MARKERS) for match in matches):
        return []
    found: list[tuple[int, str]] = []
    line, counted = 1, 0
    for match in matches:
        line += data.count(b"\n", counted, match.start())
        counted = match.start()
        marker = match.group().rstrip().decode("ascii")
        found.append((line, f"merge conflict marker {marker!r}"))
    return found
