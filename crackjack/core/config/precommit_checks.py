"""pre-commit's in-process languages: ``pygrep`` (a regular expression that must not match)
and ``fail`` (every file it gets is a failure), with the output pre-commit gives."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.core.valueclass import value

_FLAGS = {"-i": "ignore_case", "--ignore-case": "ignore_case"}
_SWITCHES = ("--multiline", "--negate")


@value(eq=True)
class GrepOptions:
    pattern: re.Pattern[bytes]
    multiline: bool = False
    negate: bool = False


def parse_pygrep_args(args: Sequence[str]) -> GrepOptions:
    """pygrep's command line (``[-i] [--multiline] [--negate] PATTERN``): its ``args``, then
    its ``entry``."""
    seen: set[str] = set()
    positional: list[str] = []
    for arg in args:
        if arg in _FLAGS:
            seen.add(_FLAGS[arg])
        elif arg in _SWITCHES:
            seen.add(arg)
        elif arg.startswith("-") and not positional:
            raise ConfigError(f"unknown argument {arg!r} (accepted: -i, --multiline, --negate)")
        else:
            positional.append(arg)
    if len(positional) != 1:
        raise ConfigError(f"give one regular expression (got {len(positional)})")
    flags = re.IGNORECASE if "ignore_case" in seen else 0
    if "--multiline" in seen:
        flags |= re.MULTILINE | re.DOTALL
    try:
        pattern = re.compile(positional[0].encode(), flags)
    except re.error as exc:
        raise ConfigError(f"invalid regular expression {positional[0]!r}: {exc}") from None
    return GrepOptions(pattern, multiline="--multiline" in seen, negate="--negate" in seen)


def pygrep(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
    """Fail for each file the pattern matches (with ``--negate``: does not match)."""
    options = parse_pygrep_args(args)
    lines: list[bytes] = []
    for name in files:
        try:
            content = (root / name).read_bytes()
        except OSError as exc:
            lines.append(f"{name}: cannot read: {exc.strerror}".encode())
            continue
        lines.extend(_grep(options, name, content))
    return CheckOutcome(failed=bool(lines), output=b"\n".join(lines).decode(errors="replace"))


def _grep(options: GrepOptions, name: str, content: bytes) -> list[bytes]:
    pattern, label = options.pattern, name.encode()
    if options.multiline:
        match = pattern.search(content)
        if options.negate:
            return [] if match else [label]
        if not match:
            return []
        line_no = content[: match.start()].count(b"\n")
        matched = match[0].split(b"\n")
        matched[0] = content.split(b"\n")[line_no]
        return [label + b":%d:" % (line_no + 1) + b"\n".join(matched)]
    found = [
        label + b":%d:" % number + line.rstrip(b"\r\n")
        for number, line in enumerate(_lines(content), start=1)
        if pattern.search(line)
    ]
    if options.negate:
        return [] if found else [label]
    return found


def _lines(content: bytes) -> list[bytes]:
    """The lines of ``content`` as iterating over a binary file gives them (split after each
    ``\\n`` only, which they keep)."""
    parts = content.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def fail(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
    """pre-commit's ``language: fail``: its entry (the one argument), then every file."""
    if len(args) != 1:
        raise ConfigError("give the message as the one argument")
    if not files:
        return CheckOutcome(failed=False)
    return CheckOutcome(failed=True, output="\n".join((args[0], "", *files)))
