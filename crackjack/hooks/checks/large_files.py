"""The large-files check: files being added that are bigger than a limit in KB (1 KB = 1024
bytes), as pre-commit-hooks' ``check-added-large-files`` does.

A file is being added when ``HEAD`` does not have it: in a ``--staged`` run a staged new file,
in any other run any file not yet committed (every file before the first commit, and outside
git). ``--enforce-all`` checks every file given. Files git-lfs stores (``filter=lfs``) never
count. Git is asked only about the files over the limit, in one call per question.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.files.batching import partition
from crackjack.core.files.fsutil import describe_os_error
from crackjack.core.git.commands import GitError, git, git_argv
from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.core.valueclass import value

DEFAULT_MAX_KB = 500

_MAXKB = "--maxkb"
_ENFORCE_ALL = "--enforce-all"
_ACCEPTED = f"accepted: {_MAXKB}=N, {_ENFORCE_ALL}"


@value(eq=True)
class LargeFilesOptions:
    """check-large-files' arguments, parsed."""

    max_kb: int = DEFAULT_MAX_KB
    enforce_all: bool = False


def large_files(
    files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
) -> CheckOutcome:
    """Fail for every file being added over ``--maxkb`` (default 500), its size rounded up to
    whole KB; with ``--enforce-all`` for every file over it."""
    options = parse_large_files_args(args)
    output: list[str] = []
    large: dict[str, int] = {}
    for name in files:
        try:
            size = os.stat(root / name).st_size
        except OSError as exc:
            output.append(f"{name}: cannot read: {describe_os_error(exc)}")
            continue
        kb = math.ceil(size / 1024)
        if kb > options.max_kb:
            large[name] = kb
    if large:
        exempt = _lfs_files(root, list(large))
        if not options.enforce_all:
            exempt |= _committed(root, list(large))
        output.extend(
            f"{name}: {kb} KB exceeds the limit of {options.max_kb} KB"
            for name, kb in large.items()
            if name not in exempt
        )
    return CheckOutcome(failed=bool(output), output="\n".join(output))


def _committed(root: Path, names: Sequence[str]) -> set[str]:
    """Those of ``names`` that ``HEAD`` has (none without a commit, or outside git)."""
    return set(_ask(root, ("--literal-pathspecs", "ls-tree", "-z", "--name-only", "HEAD"), names))


def _lfs_files(root: Path, names: Sequence[str]) -> set[str]:
    """Those of ``names`` that git-lfs stores: their ``filter`` attribute is ``lfs``."""
    fields = _ask(root, ("check-attr", "-z", "filter"), names)
    return {fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] == "lfs"}


def _ask(root: Path, args: Sequence[str], names: Sequence[str]) -> list[str]:
    """The NUL-separated fields ``git <args> -- <names>`` prints, in batches that fit the
    command line; none when git fails (outside git)."""
    fields: list[str] = []
    for batch in partition(git_argv(*args, "--"), names):
        try:
            out = git(*args, "--", *batch, cwd=root)
        except GitError:
            return []
        fields.extend(os.fsdecode(field) for field in out.split(b"\0")[:-1])
    return fields


def parse_large_files_args(args: Sequence[str]) -> LargeFilesOptions:
    """The limit from ``--maxkb=N`` or ``--maxkb N`` (the last one given wins), and
    ``--enforce-all``."""
    max_kb = DEFAULT_MAX_KB
    enforce_all = False
    rest = iter(args)
    for arg in rest:
        if arg == _ENFORCE_ALL:
            enforce_all = True
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
    return LargeFilesOptions(max_kb, enforce_all)


def _kilobytes(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise ConfigError(f"{_MAXKB} expects a whole number of KB, got {value!r} ({_ACCEPTED})")
    return int(text)
