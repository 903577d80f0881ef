"""The large-files check: files bigger than a limit in KB (1 KB = 1024 bytes)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.files.fsutil import describe_os_error
from crackjack.core.runners.inprocess import CheckOutcome

DEFAULT_MAX_KB = 500

_MAXKB = "--maxkb"
_ENFORCE_ALL = "--enforce-all"
_ACCEPTED = f"accepted: {_MAXKB}=N, {_ENFORCE_ALL}"


@dataclass(frozen=True, slots=True)
class LargeFilesOptions:
    max_kb: int = DEFAULT_MAX_KB


def large_files(
    files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
) -> CheckOutcome:
    """Fail for every file over ``--maxkb`` (default 500), its size rounded up to whole KB."""
    max_kb = parse_large_files_args(args).max_kb
    output: list[str] = []
    for name in files:
        try:
            size = os.stat(root / name).st_size
        except OSError as exc:
            output.append(f"{name}: cannot read: {describe_os_error(exc)}")
            continue
        kb = math.ceil(size / 1024)
        if kb > max_kb:
            output.append(f"{name}: {kb} KB exceeds the limit of {max_kb} KB")
    return CheckOutcome(failed=bool(output), output="\n".join(output))


def parse_large_files_args(args: Sequence[str]) -> LargeFilesOptions:
    """The limit from ``--maxkb=N`` or ``--maxkb N``; the last one given wins.

    ``--enforce-all`` is accepted for pre-commit-hooks compatibility: this check always looks
    at every file it is given.
    """
    max_kb = DEFAULT_MAX_KB
    rest = iter(args)
    for arg in rest:
        if arg == _ENFORCE_ALL:
            continue
        if arg == _MAXKB:
            value = next(rest, None)
            if value is None:
                raise ConfigError(f"{_MAXKB} needs a value in KB ({_ACCEPTED})")
        elif arg.startswith(f"{_MAXKB}="):
            value = arg.removeprefix(f"{_MAXKB}=")
        else:
            raise ConfigError(f"unknown argument {arg!r} ({_ACCEPTED})")
        max_kb = _kilobytes(value)
    return LargeFilesOptions(max_kb)


def _kilobytes(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise ConfigError(f"{_MAXKB} expects a whole number of KB, got {value!r} ({_ACCEPTED})")
    return int(text)
